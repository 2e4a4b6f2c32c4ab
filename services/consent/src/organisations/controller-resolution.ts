import type { Route } from '@divit/contracts';

export interface RouteRow {
  route: Route;
  coordinatorOrganisationId: string | null;
  effectiveFrom: string;
  /** Order of recording, for two changes effective on the same day. */
  seq: number;
}

export interface MembershipRow {
  memberOrganisationId: string;
  validFrom: string;
  validTo: string | null;
}

export type ControllerResolution =
  { ok: true; route: Route; controllers: string[] } | { ok: false; reason: 'ROUTE_UNKNOWN' | 'NO_MEMBERS' };

/**
 * Who is controller (verwerkingsverantwoordelijke) of an organisation's DIV-it processing on a date:
 * route A — the corporation itself; route B — the housing allocator itself (it coordinates); route C — the member
 * corporations jointly (memberships valid on the date), sorted for a stable receipt.
 */
export function resolveControllers(
  organisationId: string,
  date: string,
  routes: readonly RouteRow[],
  memberships: readonly MembershipRow[],
): ControllerResolution {
  const applicable = routes
    .filter((r) => r.effectiveFrom <= date)
    .sort((a, b) =>
      a.effectiveFrom === b.effectiveFrom ? a.seq - b.seq : a.effectiveFrom < b.effectiveFrom ? -1 : 1,
    )
    .at(-1);
  if (!applicable) return { ok: false, reason: 'ROUTE_UNKNOWN' };
  switch (applicable.route) {
    case 'A':
    case 'B':
      return { ok: true, route: applicable.route, controllers: [organisationId] };
    case 'C': {
      const members = [
        ...new Set(
          memberships
            .filter((m) => m.validFrom <= date && (m.validTo === null || m.validTo >= date))
            .map((m) => m.memberOrganisationId),
        ),
      ].sort();
      if (members.length === 0) return { ok: false, reason: 'NO_MEMBERS' };
      return { ok: true, route: 'C', controllers: members };
    }
  }
}
