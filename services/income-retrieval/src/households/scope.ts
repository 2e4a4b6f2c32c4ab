import type { EntityManager } from 'typeorm';
import type { OrganisationScope, Principal } from '@divit/service-kit';

type AllocationParties = { organisationId: string; lettingCorporationId: string };

/**
 * Who may see an allocation's data: callers of the allocation's organisation (the registration's organisation:
 * route A corporation, route B allocator, route C collaboration) or of the letting corporation. An `admin` is its
 * own organisation's admin, nothing more; the platform operator reads no personal data (docs/adr/0014). This is
 * the scope of the income statement and its access log (members' income: never a coordinator's, ADR 0018).
 */
export function inScope(principal: Principal, allocation: AllocationParties): boolean {
  return (
    principal.organisationId === allocation.organisationId ||
    principal.organisationId === allocation.lettingCorporationId
  );
}

/**
 * {@link inScope}, or a route B/C coordinator of the allocation's organisation or letting corporation (the
 * allocator or primus inter pares acting for a member corporation with a membership in force today): the scope of
 * the request progress and the decision (conclusions, no income) and of the pension-age statement that the
 * coordinator's allocation system gives (docs/adr/0018). Decided at request time from registration's events.
 */
export async function inCoordinatorScope(
  scope: OrganisationScope,
  em: EntityManager,
  principal: Principal,
  allocation: AllocationParties,
): Promise<boolean> {
  if (inScope(principal, allocation)) return true;
  const visible = await scope.visibleOrganisationIds(em, principal);
  return visible.includes(allocation.organisationId) || visible.includes(allocation.lettingCorporationId);
}
