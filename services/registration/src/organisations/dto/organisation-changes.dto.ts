import { z } from 'zod';
import { RouteSymbols } from '@divit/contracts';
import { isoDate } from '../../common/calendar-date';

/** `?at=YYYY-MM-DD`: the calendar date to look at (default: today in Europe/Amsterdam). */
export const atQuerySchema = z.strictObject({ at: isoDate.optional() });
export type AtQuery = z.infer<typeof atQuerySchema>;

export const membershipParams = z.strictObject({ id: z.uuid(), membershipId: z.uuid() });

export const routeChangeSchema = z.strictObject({
  route: z.enum(RouteSymbols),
  /** Route C only: the member corporation appointed primus inter pares. */
  coordinatorOrganisationId: z.uuid().optional(),
  effectiveFrom: isoDate,
});
export type RouteChangeDto = z.infer<typeof routeChangeSchema>;

export const startMembershipSchema = z
  .strictObject({
    memberOrganisationId: z.uuid(),
    validFrom: isoDate,
    /** Last day, inclusive; omit for an open-ended membership. */
    validTo: isoDate.optional(),
  })
  .refine((m) => m.validTo === undefined || m.validTo >= m.validFrom, {
    path: ['validTo'],
    message: 'must not be before validFrom',
  });
export type StartMembershipDto = z.infer<typeof startMembershipSchema>;

export const endMembershipSchema = z.strictObject({
  /** Last day of the membership, inclusive. */
  validTo: isoDate,
});
export type EndMembershipDto = z.infer<typeof endMembershipSchema>;

export const housingStockSchema = z.strictObject({
  memberOrganisationId: z.uuid(),
  dwellings: z.number().int().min(0).max(1_000_000),
  effectiveFrom: isoDate,
});
export type HousingStockDto = z.infer<typeof housingStockSchema>;
