import { DomainError, registerErrorStatuses } from '../domain-error';
import type { Principal } from './jwt';

/** The organisation id the development issuer, the tests and the demonstration put in a platform operator's token. */
export const PLATFORM_ORGANISATION_ID = 'platform';

/** The platform operator: the only caller that may act platform-wide (see ./README.md, docs/adr/0014). */
export function isPlatformOperator(principal: Pick<Principal, 'roles'>): boolean {
  return principal.roles.includes('platform-operator');
}

/** True when the caller acts for `organisationId` itself (a platform operator acts for every organisation). */
export function actsFor(
  principal: Pick<Principal, 'roles' | 'organisationId'>,
  organisationId: string,
): boolean {
  return isPlatformOperator(principal) || principal.organisationId === organisationId;
}

export type TenancyErrorCode = 'OUTSIDE_ORGANISATION' | 'PLATFORM_OPERATOR_ONLY';
registerErrorStatuses({ OUTSIDE_ORGANISATION: 403, PLATFORM_OPERATOR_ONLY: 403 } satisfies Record<
  TenancyErrorCode,
  number
>);

/**
 * A write for an organisation the caller does not act for (403). Reads of a foreign record by id answer the
 * service's own "not found" instead, so that existence does not leak.
 */
export class TenancyError extends DomainError<TenancyErrorCode> {}

/** Throws 403 OUTSIDE_ORGANISATION unless the caller acts for `organisationId` (or is the platform operator). */
export function assertActsFor(
  principal: Pick<Principal, 'roles' | 'organisationId'>,
  organisationId: string,
): void {
  if (!actsFor(principal, organisationId))
    throw new TenancyError(
      'OUTSIDE_ORGANISATION',
      'This organisation is not yours: you may only change your own organisation.',
    );
}
