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
import { missingElements, REQUIRED_ELEMENTS } from '../consent-texts/consent-elements';
import type { ConsentElements } from '../consent-texts/consent-elements';
import { ConformanceRepository } from './conformance.repository';

/** consent's evidence for the conformance report (issue 16 item 9): texts in force, answers, withdrawals. */
export const consentConformanceView = z.object({
  service: z.literal('consent'),
  organisationId: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
  /** The elements the standard requires now (DIV-it 1.2.2, and the person's rights). */
  requiredElements: z.array(z.string()),
  /** Published texts in force at some moment of the period, each checked against today's required elements. */
  textsInForce: z.array(
    z.object({
      textId: z.uuid(),
      audience: z.string(),
      purpose: z.string(),
      language: z.string(),
      version: z.number().int(),
      versionHash: z.string(),
      publishedAt: z.iso.datetime(),
      elementsPresent: z.array(z.string()),
      /** Required elements missing or incomplete (a text published before a rule was added may lack one). */
      problems: z.array(z.object({ element: z.string(), reason: z.string() })),
    }),
  ),
  /** Answers given in the period, by process, person and answer. */
  answers: z.array(
    z.object({ purpose: z.string(), subjectRole: z.string(), answer: z.string(), count: z.number().int() }),
  ),
  /** Withdrawals in the period (intrekken), by process and person. */
  withdrawals: z.array(z.object({ purpose: z.string(), subjectRole: z.string(), count: z.number().int() })),
  /** Answers whose proof of showing is missing or names another text version (expected 0). */
  answersWithoutProofOfShowing: z.number().int(),
  bsnScan: bsnLikeScanView,
});
export type ConsentConformance = z.infer<typeof consentConformanceView>;

@Controller('conformance-evidence')
export class ConformanceController {
  constructor(
    private readonly repository: ConformanceRepository,
    private readonly accessLog: AccessLogService,
  ) {}

  /** What this service holds as evidence for one organisation and period (auditors, admins, the platform operator). */
  @ConformanceEvidenceRoute(
    consentConformanceView,
    'Texts in force with their elements, answers and withdrawals.',
  )
  async evidence(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(conformanceEvidenceQuery) query: ConformanceEvidenceQuery,
  ): Promise<ConsentConformance> {
    assertActsFor(principal, query.organisationId);
    const { from, to } = periodBounds(query);
    const e = await this.repository.evidence(query.organisationId, from, to);
    await recordConformanceRead(this.accessLog, principal, query.organisationId);
    return {
      service: 'consent',
      organisationId: query.organisationId,
      from: query.from,
      to: query.to,
      requiredElements: [...REQUIRED_ELEMENTS],
      textsInForce: e.texts.map((t) => ({
        textId: t.id,
        audience: t.audience,
        purpose: t.purpose,
        language: t.language,
        version: t.version,
        versionHash: t.version_hash,
        publishedAt: t.published_at.toISOString(),
        elementsPresent: Object.keys(t.elements).sort(),
        problems: missingElements(
          t.elements as Partial<ConsentElements>,
          t.purpose as Parameters<typeof missingElements>[1],
        ),
      })),
      answers: e.answers.map((a) => ({
        purpose: a.purpose,
        subjectRole: a.subject_role,
        answer: a.answer,
        count: a.n,
      })),
      withdrawals: e.withdrawals.map((w) => ({
        purpose: w.purpose,
        subjectRole: w.subject_role,
        count: w.n,
      })),
      answersWithoutProofOfShowing: e.answersWithoutProofOfShowing,
      bsnScan: e.bsnScan,
    };
  }
}
