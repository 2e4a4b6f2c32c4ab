import { z } from 'zod';
import { OrganisationKindSymbols, RouteSymbols } from '@divit/contracts';

// The responses of /organisations and /organisations/{id}/…. The view types of organisations.service.ts and
// organisation-memberships.service.ts are inferred from these schemas, so the code cannot return another shape
// without failing the typecheck (the repository rows they are built from must be assignable to them).

/** One entry of an organisation's route history. */
export const routeRowSchema = z.strictObject({
  /** The first day the route applies. */
  effectiveFrom: z.iso.date(),
  route: z.enum(RouteSymbols),
  /** Route C only: the member corporation appointed primus inter pares; null otherwise. */
  coordinatorOrganisationId: z.uuid().nullable(),
});

/** Every route the organisation followed or will follow, oldest first. */
export const routeHistorySchema = z.array(routeRowSchema);

export const organisationViewSchema = z.strictObject({
  organisationId: z.uuid(),
  name: z.string(),
  kind: z.enum(OrganisationKindSymbols),
  /** The date the route fields describe. */
  at: z.iso.date(),
  /** Route in force on `at`; null before the organisation's first route applies. */
  route: z.enum(RouteSymbols).nullable(),
  coordinatorOrganisationId: z.uuid().nullable(),
  /** Since when the route in force on `at` applies. */
  effectiveFrom: z.iso.date().nullable(),
  routeHistory: routeHistorySchema,
});

export const routeAtViewSchema = z.strictObject({
  organisationId: z.uuid(),
  at: z.iso.date(),
  ...routeRowSchema.shape,
});

export const routeChangeViewSchema = z.strictObject({
  organisationId: z.uuid(),
  /** The route in force the day before the change. */
  previous: routeRowSchema,
  current: routeRowSchema,
  routeHistory: routeHistorySchema,
});

export const membershipViewSchema = z.strictObject({
  /** The membership id. */
  id: z.uuid(),
  /** The route B/C organisation. */
  organisationId: z.uuid(),
  memberOrganisationId: z.uuid(),
  validFrom: z.iso.date(),
  /** Last day, inclusive; null for an open-ended membership. */
  validTo: z.iso.date().nullable(),
});

export const membershipsViewSchema = z.strictObject({
  organisationId: z.uuid(),
  /** The date looked at; null for the full history. */
  at: z.iso.date().nullable(),
  memberships: z.array(membershipViewSchema),
});

export const housingStockRowSchema = z.strictObject({
  organisationId: z.uuid(),
  memberOrganisationId: z.uuid(),
  dwellings: z.number().int().min(0),
  effectiveFrom: z.iso.date(),
});

export const housingStockRecordViewSchema = z.strictObject({
  ...housingStockRowSchema.shape,
  /** True when this corrected an earlier figure for the same member and date. */
  replaced: z.boolean(),
});

export const housingStockAtViewSchema = z.strictObject({
  organisationId: z.uuid(),
  at: z.iso.date(),
  /** Every member on `at` with the figure in force then (null when none was recorded yet). */
  members: z.array(
    z.strictObject({
      memberOrganisationId: z.uuid(),
      dwellings: z.number().int().min(0).nullable(),
      effectiveFrom: z.iso.date().nullable(),
    }),
  ),
  totalDwellings: z.number().int().min(0),
});

export const housingStockHistoryViewSchema = z.strictObject({
  organisationId: z.uuid(),
  /** Every recorded figure. */
  records: z.array(housingStockRowSchema),
});

export type RouteView = z.infer<typeof routeRowSchema>;
export type OrganisationView = z.infer<typeof organisationViewSchema>;
export type RouteAtView = z.infer<typeof routeAtViewSchema>;
export type RouteChangeView = z.infer<typeof routeChangeViewSchema>;
export type MembershipView = z.infer<typeof membershipViewSchema>;
export type MembershipsView = z.infer<typeof membershipsViewSchema>;
export type HousingStockRecordView = z.infer<typeof housingStockRecordViewSchema>;
export type HousingStockAtView = z.infer<typeof housingStockAtViewSchema>;
export type HousingStockHistoryView = z.infer<typeof housingStockHistoryViewSchema>;
