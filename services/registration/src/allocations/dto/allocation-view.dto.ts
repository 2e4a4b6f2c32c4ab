import { z } from 'zod';
import {
  AllocationOutcomeSymbols,
  ExemptionGroupSymbols,
  HouseholdRoleSymbols,
  RouteSymbols,
} from '@divit/contracts';
import { CONTROLLER_BASES } from '../controller-in-force';

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

/** The controller (verwerkingsverantwoordelijke) of the allocation's DIV-it data in force on `at` (ADR 0035). */
export const controllerViewSchema = z.strictObject({
  /** The date the controller is in force on (today, Europe/Amsterdam). */
  at: z.iso.date(),
  /** Route of the registration's organisation in force on `at`. */
  route: z.enum(RouteSymbols),
  /**
   * ROUTE_A_CORPORATION: the corporation, in every phase. ROUTE_B_HOUSING_ALLOCATOR: the housing allocator, until
   * the seeker accepts the offered dwelling. ROUTE_C_MEMBERS_JOINTLY: the member corporations jointly, until the
   * acceptance. LETTING_CORPORATION_FROM_ACCEPTANCE: routes B and C from the day of acceptance.
   */
  basis: z.enum(CONTROLLER_BASES),
  /** Sorted organisation ids (several only for route C joint controllers). */
  organisationIds: z.array(z.uuid()),
  joint: z.boolean(),
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
  /** The day the home seeker accepted the offered dwelling; null until then. */
  acceptedOn: z.iso.date().nullable(),
  /** The controller in force today; null when the organisation has no route in force today. */
  controller: controllerViewSchema.nullable(),
});

export const allocationAcceptanceViewSchema = z.strictObject({
  allocationId: z.uuid(),
  lettingCorporationId: z.uuid(),
  acceptedOn: z.iso.date(),
  /** When the (first) acceptance was recorded; a repeated acceptance answers the same. */
  acceptedAt: z.iso.datetime(),
  /** The controller until the acceptance (on the day before it). */
  previousController: controllerViewSchema,
  /** The controller from the acceptance (on its day). */
  controller: controllerViewSchema,
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
export type ControllerView = z.infer<typeof controllerViewSchema>;
export type AllocationAcceptanceView = z.infer<typeof allocationAcceptanceViewSchema>;
