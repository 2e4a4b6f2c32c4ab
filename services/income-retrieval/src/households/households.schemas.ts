import { z } from 'zod';
import {
  AlternativeRouteReasonSymbols,
  DecisionOutcomeSymbols,
  ExemptionGroupSymbols,
  HouseholdRoleSymbols,
  MemberRequestStatusSymbols,
  PassendCategorySymbols,
} from '@divit/contracts';

// The responses of the households controller (GET /allocations/{id}, PUT …/pension-age, POST /admin/expiry-sweeps).
// The view types of households.controller.ts are inferred from these schemas.

export const memberRequestViewSchema = z.strictObject({
  memberId: z.uuid(),
  role: z.enum(HouseholdRoleSymbols),
  status: z.enum(MemberRequestStatusSymbols),
  /** Why the member's request failed (the alternative route's reason); null unless FAILED or EXPIRED. */
  failure: z.enum(AlternativeRouteReasonSymbols).nullable(),
  /** The member must have shared by then, or the request expires. */
  deadlineAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The member withdrew consent after the decision (the decision stands; the income used is kept as evidence). */
  withdrawnAfterDecisionAt: z.iso.datetime().nullable(),
});

/** The decision (no income): outcome, and for a completed test the conclusions of the passend test. */
export const decisionViewSchema = z.strictObject({
  decisionId: z.uuid(),
  outcome: z.enum(DecisionOutcomeSymbols),
  alternativeRouteReason: z.enum(AlternativeRouteReasonSymbols).nullable(),
  failedMemberId: z.uuid().nullable(),
  passendCategory: z.enum(PassendCategorySymbols).nullable(),
  withinPassendLimit: z.boolean().nullable(),
  passend: z.boolean().nullable(),
  incomeYear: z.number().int().nullable(),
  normVersion: z.string().nullable(),
  decidedAt: z.iso.datetime(),
  /** Where the income statement is kept (income-retrieval:statements/{allocationId}). */
  evidenceReference: z.string(),
});

export const allocationStatusViewSchema = z.strictObject({
  allocationId: z.uuid(),
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  lettingCorporationId: z.uuid(),
  leaseStartDate: z.iso.date(),
  householdSize: z.number().int().min(1),
  exemptionGroup: z.enum(ExemptionGroupSymbols).nullable(),
  /** The pension-age statement; null when none was made (the test then assumes "not pension age"). */
  pensionAge: z.boolean().nullable(),
  /**
   * Every member has shared, but the income norms of the lease year are not published yet: the decision follows
   * automatically when they are (ADR 0017). null otherwise.
   */
  awaitingNorms: z.strictObject({ leaseYear: z.number().int(), since: z.iso.datetime() }).nullable(),
  members: z.array(memberRequestViewSchema),
  decision: decisionViewSchema.nullable(),
});

export const pensionAgeViewSchema = z.strictObject({
  allocationId: z.uuid(),
  pensionAge: z.boolean(),
});

export const expirySweepViewSchema = z.strictObject({
  /** Member requests that passed their deadline in this sweep. */
  expiredRequests: z.number().int().min(0),
  /** Allocations with overdue requests that the sweep went through. */
  allocations: z.number().int().min(0),
});

export type MemberRequestView = z.infer<typeof memberRequestViewSchema>;
export type DecisionView = z.infer<typeof decisionViewSchema>;
export type AllocationStatusView = z.infer<typeof allocationStatusViewSchema>;
export type PensionAgeView = z.infer<typeof pensionAgeViewSchema>;
export type ExpirySweepView = z.infer<typeof expirySweepViewSchema>;
