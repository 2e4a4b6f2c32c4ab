import { z } from 'zod';
import {
  AlternativeRouteReasonSymbols,
  DecisionOutcomeSymbols,
  ExemptionGroupSymbols,
  HouseholdRoleSymbols,
  IncomeKindSymbols,
  MemberRequestStatusSymbols,
  PassendCategorySymbols,
} from '@divit/contracts';

// The responses of /statements. The statement is the JSON document written with the decision
// (HouseholdsService.decide, kept as jsonb) plus `containsIncome`; a USED_INCOME erasure removes the income figures
// from it (erasure/owned-categories.ts) and records when and by which erasure.
//
// Not JSON: GET /statements/{allocationId}/pdf answers the same statement as a PDF (STATEMENT_PDF_MEDIA_TYPE).

export const STATEMENT_PDF_MEDIA_TYPE = 'application/pdf';

const cents = z.number().int();

export const statementMemberSchema = z.strictObject({
  memberId: z.uuid(),
  role: z.enum(HouseholdRoleSymbols),
  status: z.enum(MemberRequestStatusSymbols),
  failure: z.enum(AlternativeRouteReasonSymbols).nullable(),
  /** The consent the member gave for this allocation; null when none was given. */
  consentId: z.uuid().nullable(),
  // The income figure used (completed test only).
  sharingId: z.uuid().optional(),
  incomeConsentId: z.uuid().optional(),
  taxYear: z.number().int().optional(),
  /** Removed by a USED_INCOME erasure. */
  incomeKind: z.enum(IncomeKindSymbols).optional(),
  /** Removed by a USED_INCOME erasure. */
  incomeCents: cents.optional(),
  /** The factor that indexes the tax year's income to the lease year, a decimal string. */
  indexationFactor: z.string().optional(),
  /** Removed by a USED_INCOME erasure. */
  indexedIncomeCents: cents.optional(),
  receivedAt: z.iso.datetime().optional(),
});

export const incomeStatementSchema = z.strictObject({
  statementId: z.uuid(),
  kind: z.literal('DIGITAL_INCOME_STATEMENT'),
  allocationId: z.uuid(),
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  lettingCorporationId: z.uuid(),
  leaseStartDate: z.iso.date(),
  monthlyRentCents: cents.nullable(),
  householdSize: z.number().int().min(1),
  exemptionGroup: z.enum(ExemptionGroupSymbols).nullable(),
  outcome: z.enum(DecisionOutcomeSymbols),
  alternativeRouteReason: z.enum(AlternativeRouteReasonSymbols).nullable(),
  failedMemberId: z.uuid().nullable(),
  decisionId: z.uuid(),
  allocationRecordedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime(),
  /** End of the accountant's retention; null without income. */
  retainUntil: z.iso.date().nullable(),
  consentIds: z.array(z.uuid()),
  members: z.array(statementMemberSchema),
  // A completed test (ELIGIBLE, NOT_ELIGIBLE) only:
  incomeYear: z.number().int().optional(),
  /** Removed by a USED_INCOME erasure. */
  householdIncomeCents: cents.optional(),
  pensionAge: z.boolean().optional(),
  pensionAgeSource: z.enum(['STATED', 'ASSUMED_NOT']).optional(),
  test: z
    .strictObject({
      eligible: z.boolean(),
      daebLimitCents: cents,
      passendCategory: z.enum(PassendCategorySymbols),
      passendLimitCents: cents,
      withinPassendLimit: z.boolean(),
      rentCapCents: cents.nullable(),
      passend: z.boolean().nullable(),
      /** How the household income was computed. */
      rounding: z.string(),
    })
    .optional(),
  norms: z
    .strictObject({
      version: z.string(),
      validFrom: z.iso.date(),
      indexationFactors: z.record(z.string(), z.string()),
      daebLimitCents: z.strictObject({ onePerson: cents, multiPerson: cents }),
      passendLimitCents: z.strictObject({
        onePerson: cents,
        multiPerson: cents,
        onePersonPensionAge: cents,
        multiPersonPensionAge: cents,
      }),
      rentCapCents: z.strictObject({ low: cents, high: cents }),
      assumptions: z.array(z.strictObject({ field: z.string(), note: z.string() })),
    })
    .optional(),
  // After a USED_INCOME erasure:
  incomeErasedAt: z.iso.datetime({ offset: true }).optional(),
  /** The erasure id. */
  incomeErasedBy: z.string().optional(),
  /** Whether the statement still holds income figures (false without a completed test, or after the erasure). */
  containsIncome: z.boolean(),
});

export type StatementMember = z.infer<typeof statementMemberSchema>;
export type IncomeStatementView = z.infer<typeof incomeStatementSchema>;
