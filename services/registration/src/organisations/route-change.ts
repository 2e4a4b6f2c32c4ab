import type { OrganisationKind, Route } from '@divit/contracts';

/** The route and coordinator an organisation follows from a date. */
export interface RouteSetting {
  route: Route;
  coordinatorOrganisationId: string | null;
}

export type RouteChangeRefusal =
  'ROUTE_NOT_ALLOWED_FOR_KIND' | 'COORDINATOR_REQUIRED' | 'COORDINATOR_NOT_ALLOWED' | 'ROUTE_UNCHANGED';

export type RouteChangePlan =
  { ok: true; next: RouteSetting } | { ok: false; refusal: RouteChangeRefusal; message: string };

/**
 * Decides the route and coordinator that apply after a requested change (pure; the caller checks that a
 * route C coordinator is a registered corporation).
 * - A corporation follows route A; in B or C it takes part as a member of the collaboration instead.
 * - A housing allocator or collaboration follows B (it coordinates itself, e.g. after acquiring legal
 *   personality to connect to BV BSN) or C (a member corporation is primus inter pares). Route A is for a
 *   corporation allocating alone: a collaboration that stops ends its memberships and its members register
 *   as route A corporations.
 * - Route A has no coordinator, route B coordinates itself, route C needs the primus inter pares.
 */
export function planRouteChange(
  organisationId: string,
  kind: OrganisationKind,
  current: RouteSetting,
  requested: { route: Route; coordinatorOrganisationId?: string | undefined },
): RouteChangePlan {
  const allowed: readonly Route[] = kind === 'CORPORATION' ? ['A'] : ['B', 'C'];
  if (!allowed.includes(requested.route)) {
    return {
      ok: false,
      refusal: 'ROUTE_NOT_ALLOWED_FOR_KIND',
      message: `An organisation of kind ${kind} can follow route ${allowed.join(' or ')}, not ${requested.route}.`,
    };
  }
  let next: RouteSetting;
  switch (requested.route) {
    case 'A':
    case 'B':
      if (requested.coordinatorOrganisationId) {
        return {
          ok: false,
          refusal: 'COORDINATOR_NOT_ALLOWED',
          message: `Route ${requested.route} has no separate coordinator.`,
        };
      }
      next = {
        route: requested.route,
        coordinatorOrganisationId: requested.route === 'B' ? organisationId : null,
      };
      break;
    case 'C':
      if (!requested.coordinatorOrganisationId) {
        return {
          ok: false,
          refusal: 'COORDINATOR_REQUIRED',
          message: 'Route C needs a member corporation appointed primus inter pares.',
        };
      }
      next = { route: 'C', coordinatorOrganisationId: requested.coordinatorOrganisationId };
      break;
  }
  if (next.route === current.route && next.coordinatorOrganisationId === current.coordinatorOrganisationId) {
    return {
      ok: false,
      refusal: 'ROUTE_UNCHANGED',
      message: 'The requested route and coordinator are the ones already in force.',
    };
  }
  return { ok: true, next };
}
