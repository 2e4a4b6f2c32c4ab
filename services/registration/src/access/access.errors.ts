import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type AccessErrorCode =
  | 'IDENTITY_PROVIDER_NOT_CONFIGURED'
  | 'IDENTITY_PROVIDER_UNAVAILABLE'
  | 'IDENTITY_PROVIDER_FAILED'
  | 'NAMED_USER_CAP_REACHED'
  | 'NAMED_USER_NOT_FOUND'
  | 'NAMED_USER_REMOVED'
  | 'USERNAME_TAKEN'
  | 'ROLE_NOT_GRANTABLE'
  | 'ALREADY_SUSPENDED'
  | 'NOT_SUSPENDED'
  | 'CLIENT_NOT_FOUND';

export const accessErrorStatus = registerErrorStatuses({
  // The operation is switched off in this deployment (as other switched-off operations answer).
  IDENTITY_PROVIDER_NOT_CONFIGURED: 404,
  IDENTITY_PROVIDER_UNAVAILABLE: 503,
  IDENTITY_PROVIDER_FAILED: 502,
  NAMED_USER_CAP_REACHED: 409,
  NAMED_USER_NOT_FOUND: 404,
  NAMED_USER_REMOVED: 409,
  USERNAME_TAKEN: 409,
  ROLE_NOT_GRANTABLE: 403,
  ALREADY_SUSPENDED: 409,
  NOT_SUSPENDED: 409,
  CLIENT_NOT_FOUND: 404,
} satisfies Record<AccessErrorCode, number>);

export class AccessError extends DomainError<AccessErrorCode> {}
