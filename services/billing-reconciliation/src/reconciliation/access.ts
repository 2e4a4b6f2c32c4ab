import { isPlatformOperator } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ReconciliationError } from './reconciliation.errors';

/**
 * Billing belongs to the invoice holder (the payer: a route A corporation, a route B allocator, a route C
 * collaboration's primus inter pares). Its own finance, admin, auditor and coordinator act for it; the platform
 * operator for every payer. No role of another organisation reaches it (docs/adr/0014).
 */
export function actsForPayer(principal: Principal, payer: string): boolean {
  return isPlatformOperator(principal) || principal.organisationId === payer;
}

/** For a payer named in the request (writes and period queries): 403 outside the caller's organisation. */
export function assertPayerScope(principal: Principal, payer: string): void {
  if (actsForPayer(principal, payer)) return;
  throw new ReconciliationError(
    'FORBIDDEN_SCOPE',
    'outside your organisation: you may only act for your own organisation as payer',
  );
}
