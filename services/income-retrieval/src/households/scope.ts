import type { Principal } from '@divit/service-kit';

/**
 * Who may see an allocation's data: callers of the allocation's organisation (the registration's organisation:
 * route A corporation, route B allocator, route C collaboration) or of the letting corporation. An `admin` is its
 * own organisation's admin, nothing more; the platform operator reads no personal data (docs/adr/0014).
 */
export function inScope(
  principal: Principal,
  allocation: { organisationId: string; lettingCorporationId: string },
): boolean {
  return (
    principal.organisationId === allocation.organisationId ||
    principal.organisationId === allocation.lettingCorporationId
  );
}
