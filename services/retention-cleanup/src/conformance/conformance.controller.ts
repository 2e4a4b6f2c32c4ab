import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { AccessLogService, recordConformanceRead } from '@divit/access-log';
import {
  assertActsFor,
  bsnLikeScanView,
  conformanceEvidenceQuery,
  ConformanceEvidenceQuery,
  ConformanceEvidenceRoute,
  CurrentPrincipal,
  periodBounds,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { PoliciesService } from '../policies/policies.service';
import { ConformanceRepository } from './conformance.repository';

/** retention-cleanup's evidence for the conformance report (issue 16 item 9): erasures, proofs, policies. */
export const retentionConformanceView = z.object({
  service: z.literal('retention-cleanup'),
  organisationId: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
  /** Erasure commands made due in the period, by trigger and category, with the time to the owners' proof. */
  erasures: z.array(
    z.object({
      trigger: z.string(),
      category: z.string(),
      commands: z.number().int(),
      acknowledged: z.number().int(),
      medianSecondsToErasure: z.number().nullable(),
      maxSecondsToErasure: z.number().nullable(),
    }),
  ),
  /** Deletion-log records (proofs) completed in the period, and the rows they erased. */
  deletionLogRecords: z.number().int(),
  rowsErased: z.number().int(),
  /** Commands more than a day past their due time and not yet acknowledged (expected 0). */
  overdueErasures: z.number().int(),
  activeLegalHolds: z.number().int(),
  /** The retention policies in force for the organisation, each with its source. */
  policies: z.array(
    z.object({
      category: z.string(),
      retention: z.string(),
      overridden: z.boolean(),
      source: z.string(),
      assumption: z.boolean(),
    }),
  ),
  bsnScan: bsnLikeScanView,
});
export type RetentionConformance = z.infer<typeof retentionConformanceView>;

@Controller('conformance-evidence')
export class ConformanceController {
  constructor(
    private readonly repository: ConformanceRepository,
    private readonly policies: PoliciesService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** What this service holds as evidence for one organisation and period (auditors, admins, the platform operator). */
  @ConformanceEvidenceRoute(
    retentionConformanceView,
    'Erasures with their times, proofs and the policies in force.',
  )
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(conformanceEvidenceQuery) query: ConformanceEvidenceQuery,
  ): Promise<RetentionConformance> {
    assertActsFor(principal, query.organisationId);
    const { from, to } = periodBounds(query);
    const e = await this.repository.evidence(query.organisationId, from, to);
    const policies = await this.policies.list(query.organisationId);
    await recordConformanceRead(this.accessLog, principal, query.organisationId);
    return {
      service: 'retention-cleanup',
      organisationId: query.organisationId,
      from: query.from,
      to: query.to,
      erasures: e.erasures.map((x) => ({
        trigger: x.trigger,
        category: x.category,
        commands: x.n,
        acknowledged: x.completed,
        medianSecondsToErasure: x.median_s === null ? null : Math.round(Number(x.median_s) * 10) / 10,
        maxSecondsToErasure: x.max_s === null ? null : Math.round(Number(x.max_s) * 10) / 10,
      })),
      deletionLogRecords: e.deletionLogRecords,
      rowsErased: e.rowsErased,
      overdueErasures: e.overdueErasures,
      activeLegalHolds: e.activeLegalHolds,
      policies: policies.map((p) => ({
        category: p.category,
        retention: p.retention,
        overridden: p.overridden,
        source: p.source,
        assumption: p.assumption,
      })),
      bsnScan: e.bsnScan,
    };
  }
}
