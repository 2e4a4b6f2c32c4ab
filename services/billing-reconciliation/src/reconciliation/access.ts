import type { Principal } from '@divit/service-kit';
import { ReconciliationError } from './reconciliation.errors';

const readsAll = (p: Principal) => p.roles.some((r) => r === 'finance' || r === 'auditor' || r === 'admin');

/** Finance, auditor and admin see every payer; a coordinator only the payer it is (organisationId = payer). */
export function assertPayerScope(principal: Principal, payer: string): void {
  if (readsAll(principal)) return;
  if (principal.roles.includes('coordinator') && principal.organisationId === payer) return;
  throw new ReconciliationError(
    'FORBIDDEN_SCOPE',
    'outside your organisation: you may only see your own payer’s results',
  );
}

/** As above, and a member sees its own statement (role member, organisationId = member). */
export function assertMemberScope(principal: Principal, payer: string, member: string): void {
  if (principal.roles.includes('member') && principal.organisationId === member) return;
  assertPayerScope(principal, payer);
}
