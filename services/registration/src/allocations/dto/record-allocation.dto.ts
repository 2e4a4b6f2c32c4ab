import { z } from 'zod';
import { AllocationOutcomeSymbols, ExemptionGroupSymbols } from '@divit/contracts';
import { isoDate } from '../../common/calendar-date';

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
    leaseStartDate: isoDate,
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
    if (allocation.exemptionGroup === 'STUDENTS_WITH_STUDY_FINANCE' && allocation.coResidents.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['exemptionGroup'],
        message: 'applies to at most two students with study finance',
      });
    }
  });

export type RecordAllocationDto = z.infer<typeof recordAllocationSchema>;

export const allocationIdParam = z.strictObject({ id: z.uuid() });

export const closeAllocationSchema = z.strictObject({
  /** LEASE_SIGNED: the household signed the lease; ENDED_WITHOUT_LEASE: withdrawn, refused or rejected. */
  outcome: z.enum(AllocationOutcomeSymbols),
});
export type CloseAllocationDto = z.infer<typeof closeAllocationSchema>;
