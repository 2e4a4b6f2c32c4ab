import type { Principal } from '@divit/service-kit';

/**
 * Who may see an allocation's data: admins, and callers of the allocation's organisation (the registration's
 * organisation: route A corporation, route B allocator, route C collaboration) or of the letting corporation.
 */
export function inScope(
  principal: Principal,
  allocation: { organisationId: string; lettingCorporationId: string },
): boolean {
  return (
    principal.roles.includes('admin') ||
    principal.organisationId === allocation.organisationId ||
    principal.organisationId === allocation.lettingCorporationId
  );
}
