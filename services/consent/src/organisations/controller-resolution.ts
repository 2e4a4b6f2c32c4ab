import type { Route } from '@divit/contracts';

export type ControllerResolution =
  { ok: true; route: Route; controllers: string[] } | { ok: false; reason: 'ROUTE_UNKNOWN' | 'NO_MEMBERS' };

/**
 * Who is controller (verwerkingsverantwoordelijke) of an organisation's DIV-it processing, given its route and its
 * member corporations on the date (both from the shared coordinator rule, `OrganisationScope`, ADR 0018): route A —
 * the corporation itself; route B — the housing allocator itself (it coordinates); route C — the member
 * corporations jointly, sorted for a stable receipt.
 */
export function resolveControllers(
  organisationId: string,
  route: Route | null,
  members: readonly string[],
): ControllerResolution {
  if (!route) return { ok: false, reason: 'ROUTE_UNKNOWN' };
  switch (route) {
    case 'A':
    case 'B':
      return { ok: true, route, controllers: [organisationId] };
    case 'C': {
      const controllers = [...new Set(members)].sort();
      if (controllers.length === 0) return { ok: false, reason: 'NO_MEMBERS' };
      return { ok: true, route: 'C', controllers };
    }
  }
}
