import { z } from 'zod';
import { AllocationOutcomeSymbols, ExemptionGroupSymbols } from '@divit/contracts';
import { exemptionRefusal } from '../exemptions/exemption-groups';
import {
  addMonths,
  DIVIT_START,
  isoDate,
  LEASE_START_MAX_MONTHS_AHEAD,
  todayInAmsterdam,
} from '../../common/calendar-date';

/**
 * The lease start: from the DIV-it start (2024-01-01) to LEASE_START_MAX_MONTHS_AHEAD (12) months after today. A
 * later date could never be decided (income-retrieval has norms per year only once they are published).
 */
export const leaseStartDate = z.iso
  .date({ abort: true })
  .refine(
    (v) => v >= DIVIT_START && v <= addMonths(todayInAmsterdam(), LEASE_START_MAX_MONTHS_AHEAD),
    `must be a date from ${DIVIT_START} (the start of DIV-it) to ${LEASE_START_MAX_MONTHS_AHEAD} months after today`,
  )
  .describe(
    `A calendar date YYYY-MM-DD from ${DIVIT_START} to ${LEASE_START_MAX_MONTHS_AHEAD} months after today (Europe/Amsterdam).`,
  );

/** Letters (any script, with diacritics), spaces, apostrophes, hyphens and dots: no digits or control characters. */
const namePart = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[\p{L}\p{M}' .-]+$/u, 'letters, spaces, apostrophes, hyphens and dots only');

export const coResidentSchema = z.strictObject({
  /** Voorvoegsel, e.g. "van der". */
  surnamePrefix: namePart(20).optional(),
  /** Geslachtsnaam as stated. */
  surname: namePart(200),
  birthDate: isoDate,
});

export const recordAllocationSchema = z
  .strictObject({
    registrationId: z.uuid(),
    /** The letting corporation's reference of the dwelling (e.g. VHE number), not an address. */
    dwellingReference: z
      .string()
      .trim()
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/, 'letters, digits, space and . _ / - only'),
    lettingCorporationId: z.uuid(),
    monthlyRentCents: z.number().int().positive().max(1_000_000),
    leaseStartDate,
    /** The exempted group the household belongs to; omit or null when the income test applies. */
    exemptionGroup: z.enum(ExemptionGroupSymbols).nullable().optional(),
    /** Everyone who will live with the home seeker (children included); [] for a one-person household. */
    coResidents: z.array(coResidentSchema).max(20),
  })
  .superRefine((allocation, ctx) => {
    allocation.coResidents.forEach((coResident, index) => {
      if (coResident.birthDate > allocation.leaseStartDate) {
        ctx.addIssue({
          code: 'custom',
          path: ['coResidents', index, 'birthDate'],
          message: 'must not be after leaseStartDate',
        });
      }
    });
    // The groups' conditions are data (allocations/exemptions/exemption-groups.json, issue 16 item 4).
    const refusal =
      allocation.exemptionGroup &&
      exemptionRefusal(
        allocation.exemptionGroup,
        allocation.coResidents.length + 1,
        allocation.leaseStartDate,
      );
    if (refusal) ctx.addIssue({ code: 'custom', path: ['exemptionGroup'], message: refusal.message });
  });

export type RecordAllocationDto = z.infer<typeof recordAllocationSchema>;

export const allocationIdParam = z.strictObject({ id: z.uuid() });

export const closeAllocationSchema = z.strictObject({
  /** LEASE_SIGNED: the household signed the lease; ENDED_WITHOUT_LEASE: withdrawn, refused or rejected. */
  outcome: z.enum(AllocationOutcomeSymbols),
});
export type CloseAllocationDto = z.infer<typeof closeAllocationSchema>;

/**
 * The home seeker accepted the dwelling offered with this allocation, on `acceptedOn` (from the allocation's recording
 * to today, Europe/Amsterdam). The letting corporation is the allocation's own (derived, not named again).
 */
export const acceptAllocationSchema = z.strictObject({
  acceptedOn: isoDate.refine(
    (v) => v <= todayInAmsterdam(),
    'must not be after today (Europe/Amsterdam): an acceptance is recorded when it happened',
  ),
});
export type AcceptAllocationDto = z.infer<typeof acceptAllocationSchema>;
