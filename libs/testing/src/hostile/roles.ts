import { Role, ROLES } from '@divit/service-kit';

/** The role only platform staff hold (see issue 13); code that does not know it yet ignores it in a token. */
export const PLATFORM_OPERATOR = 'platform-operator';

/** Every role an organisation's own admin may hold: all roles except the platform operator's. */
export function tenantRoles(): Role[] {
  return ROLES.filter((r) => (r as string) !== PLATFORM_OPERATOR);
}

/** Every role including the platform operator's (for the fixture that sets tenant A up, and A's own token). */
export function operatorRoles(): Role[] {
  return [...tenantRoles(), 'platform-operator'];
}
