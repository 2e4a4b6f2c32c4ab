import { z } from 'zod';
import { AllocationOutcomeSymbols, ExemptionGroupSymbols, HouseholdRoleSymbols } from '@divit/contracts';

// The responses of /allocations. AllocationView and AllocationClosureView (allocations.service.ts) are inferred
// from these schemas, so the code cannot return another shape without failing the typecheck.

export const allocationMemberViewSchema = z.strictObject({
  memberId: z.uuid(),
  role: z.enum(HouseholdRoleSymbols),
  adult: z.boolean(),
  /** Adult co-residents only, and only for callers entitled to identifying data (admin, allocation-system). */
  statedIdentity: z
    .strictObject({ surnamePrefix: z.string().nullable(), surname: z.string(), birthDate: z.iso.date() })
    .optional(),
});

export const allocationViewSchema = z.strictObject({
  allocationId: z.uuid(),
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  lettingCorporationId: z.uuid(),
  dwellingReference: z.string(),
  monthlyRentCents: z.number().int(),
  leaseStartDate: z.iso.date(),
  exemptionGroup: z.enum(ExemptionGroupSymbols).nullable(),
  /** False for exempted groups: DIV-it may not be offered to them. */
  incomeTestRequired: z.boolean(),
  members: z.array(allocationMemberViewSchema),
});

export const allocationClosureViewSchema = z.strictObject({
  allocationId: z.uuid(),
  outcome: z.enum(AllocationOutcomeSymbols),
  /** When the first closure was recorded (a repeated closure answers the same). */
  closedAt: z.iso.datetime(),
});

export type AllocationMemberView = z.infer<typeof allocationMemberViewSchema>;
export type AllocationView = z.infer<typeof allocationViewSchema>;
export type AllocationClosureView = z.infer<typeof allocationClosureViewSchema>;
