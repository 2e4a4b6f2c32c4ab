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

/** identity-validation's evidence for the conformance report (issue 16 item 9): counts and key ids, never a BSN. */
export const identityConformanceView = z.object({
  service: z.literal('identity-validation'),
  organisationId: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
  /** Sharing sessions started in the period, by process, person and how they ended (failure code when FAILED). */
  sessions: z.array(
    z.object({
      purpose: z.string(),
      subjectRole: z.string(),
      state: z.string(),
      failureCode: z.string().nullable(),
      count: z.number().int(),
    }),
  ),
  /** Hashed BSNs stored now for the organisation, by key id (keyed HMAC; the value is never shown). */
  storedHashes: z.array(z.object({ keyId: z.string(), count: z.number().int() })),
  /** Failed sessions whose person's check data is still held (expected 0: failure deletes it at once). */
  failedSessionsStillHoldingCheckData: z.number().int(),
  /** Billable MijnOverheid events recorded in the period, by kind. */
  usage: z.array(z.object({ kind: z.string(), count: z.number().int() })),
  /** The structural BSN scan of this service's own tables (issue 16 item 9: the leak-scan result). */
  bsnScan: bsnLikeScanView,
});
export type IdentityConformance = z.infer<typeof identityConformanceView>;

@Controller('conformance-evidence')
export class ConformanceController {
  constructor(
    private readonly repository: ConformanceRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  /** What this service holds as evidence for one organisation and period (auditors, admins, the platform operator). */
  @ConformanceEvidenceRoute(identityConformanceView, 'Counts per process and outcome; never a BSN.')
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(conformanceEvidenceQuery) query: ConformanceEvidenceQuery,
  ): Promise<IdentityConformance> {
    assertActsFor(principal, query.organisationId);
    const { from, to } = periodBounds(query);
    const { sessions, hashes, holding, usage, bsnScan } = await this.repository.evidence(
      query.organisationId,
      from,
      to,
    );
    await recordConformanceRead(this.accessLog, principal, query.organisationId);
    return {
      service: 'identity-validation',
      organisationId: query.organisationId,
      from: query.from,
      to: query.to,
      sessions: sessions.map((s) => ({
        purpose: s.purpose,
        subjectRole: s.subject_role,
        state: s.state,
        failureCode: s.failure_code,
        count: s.n,
      })),
      storedHashes: hashes.map((h) => ({ keyId: h.key_id, count: h.n })),
      failedSessionsStillHoldingCheckData: holding,
      usage: usage.map((u) => ({ kind: u.unit, count: u.n })),
      bsnScan,
    };
  }
}
