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
import { ConformanceRepository } from './conformance.repository';

/** income-retrieval's evidence for the conformance report (issue 16 item 9): conclusions only, no income. */
export const incomeConformanceView = z.object({
  service: z.literal('income-retrieval'),
  organisationId: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
  /** Decisions made in the period by outcome; for ALTERNATIVE_ROUTE_REQUIRED, by the failure that stopped it. */
  decisions: z.array(
    z.object({ outcome: z.string(), alternativeRouteReason: z.string().nullable(), count: z.number().int() }),
  ),
  /** Allocations recorded in the period, still open and not yet decided (waiting for people or norms). */
  undecidedOpenAllocations: z.number().int(),
  /** Shared income not used in a test and still held after its allocation ended without a lease (expected 0). */
  unusedIncomeAfterEndWithoutLease: z.number().int(),
  /** Statements kept for the accountant past their retention date (expected 0 once retention-cleanup swept). */
  statementsPastRetention: z.number().int(),
  bsnScan: bsnLikeScanView,
});
export type IncomeConformance = z.infer<typeof incomeConformanceView>;

@Controller('conformance-evidence')
export class ConformanceController {
  constructor(
    private readonly repository: ConformanceRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  /** What this service holds as evidence for one organisation and period (auditors, admins, the platform operator). */
  @ConformanceEvidenceRoute(incomeConformanceView, 'Decisions by outcome and what income is still held.')
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(conformanceEvidenceQuery) query: ConformanceEvidenceQuery,
  ): Promise<IncomeConformance> {
    assertActsFor(principal, query.organisationId);
    const { from, to } = periodBounds(query);
    const e = await this.repository.evidence(query.organisationId, from, to);
    await recordConformanceRead(this.accessLog, principal, query.organisationId);
    return {
      service: 'income-retrieval',
      organisationId: query.organisationId,
      from: query.from,
      to: query.to,
      decisions: e.decisions.map((d) => ({
        outcome: d.outcome,
        alternativeRouteReason: d.reason,
        count: d.n,
      })),
      undecidedOpenAllocations: e.undecidedOpenAllocations,
      unusedIncomeAfterEndWithoutLease: e.unusedIncomeAfterEndWithoutLease,
      statementsPastRetention: e.statementsPastRetention,
      bsnScan: e.bsnScan,
    };
  }
}
