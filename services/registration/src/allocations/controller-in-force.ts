import type { Route } from '@divit/contracts';

/** Why these organisations are controller (verwerkingsverantwoordelijke) of an allocation's DIV-it data. */
export type ControllerBasis =
  | 'ROUTE_A_CORPORATION'
  | 'ROUTE_B_HOUSING_ALLOCATOR'
  | 'ROUTE_C_MEMBERS_JOINTLY'
  | 'LETTING_CORPORATION_FROM_ACCEPTANCE';

export const CONTROLLER_BASES = [
  'ROUTE_A_CORPORATION',
  'ROUTE_B_HOUSING_ALLOCATOR',
  'ROUTE_C_MEMBERS_JOINTLY',
  'LETTING_CORPORATION_FROM_ACCEPTANCE',
] as const satisfies readonly ControllerBasis[];

export interface ControllerInForce {
  route: Route;
  basis: ControllerBasis;
  /** Sorted organisation ids; more than one only for route C before acceptance (joint controllers). */
  organisationIds: string[];
  joint: boolean;
}

export interface AllocationControllerFacts {
  /** The registration's organisation: route A corporation, route B housing allocator, route C collaboration. */
  organisationId: string;
  lettingCorporationId: string;
  /** The day the seeker accepted the offered dwelling, or null. */
  acceptedOn: string | null;
}

/**
 * The controller in force of an allocation on `at` (seed 000, the implementation routes), as one pure function:
 * - route A: the corporation, in every phase;
 * - route B: the housing allocator from registration until (and including) the seeker's acceptance of the offered
 *   dwelling; from the acceptance the letting corporation;
 * - route C: the member corporations jointly (`members`: those in force on `at`) until the acceptance; from the
 *   acceptance the letting corporation (the seed gives route C the same "tot en met de acceptatie" as route B).
 * `route` is the route of the registration's organisation in force on `at`; null when it has none (no controller).
 * An acceptance dated on or before `at` has happened on `at` (the hand-over takes effect on the day of acceptance).
 */
export function controllerInForce(
  allocation: AllocationControllerFacts,
  route: Route | null,
  members: readonly string[],
  at: string,
): ControllerInForce | null {
  if (!route) return null;
  if (route === 'A') {
    return {
      route,
      basis: 'ROUTE_A_CORPORATION',
      organisationIds: [allocation.organisationId],
      joint: false,
    };
  }
  if (allocation.acceptedOn !== null && allocation.acceptedOn <= at) {
    return {
      route,
      basis: 'LETTING_CORPORATION_FROM_ACCEPTANCE',
      organisationIds: [allocation.lettingCorporationId],
      joint: false,
    };
  }
  if (route === 'B') {
    return {
      route,
      basis: 'ROUTE_B_HOUSING_ALLOCATOR',
      organisationIds: [allocation.organisationId],
      joint: false,
    };
  }
  const jointly = [...new Set(members)].sort();
  return { route, basis: 'ROUTE_C_MEMBERS_JOINTLY', organisationIds: jointly, joint: jointly.length > 1 };
}
