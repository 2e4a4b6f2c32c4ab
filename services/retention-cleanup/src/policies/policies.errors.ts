import { DomainError, registerErrorStatuses } from '@divit/service-kit';

/** Codes are unique across the service's modules (one status lookup for all tables). */
export type PolicyErrorCode =
  'RETENTION_OUT_OF_BOUNDS' | 'POLICY_OVERRIDE_NOT_FOUND' | 'AGREEMENT_NOT_FOUND' | 'AGREEMENT_NOT_ADOPTED';

export const policyErrorStatus = registerErrorStatuses({
  RETENTION_OUT_OF_BOUNDS: 422,
  POLICY_OVERRIDE_NOT_FOUND: 404,
  AGREEMENT_NOT_FOUND: 422,
  AGREEMENT_NOT_ADOPTED: 404,
} satisfies Record<PolicyErrorCode, number>);

export class PolicyError extends DomainError<PolicyErrorCode> {}
