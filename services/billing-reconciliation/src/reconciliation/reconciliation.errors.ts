import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type ReconciliationErrorCode =
  | 'PAYER_UNKNOWN'
  | 'NO_INVOICE'
  | 'MIXED_ISSUERS'
  | 'CREDIT_EXCEEDS_INVOICE'
  | 'SPLIT_IMPOSSIBLE'
  | 'PERIOD_CLOSED'
  | 'PERIOD_NOT_CLOSED'
  | 'PERIOD_INVALID'
  | 'RECONCILIATION_NOT_FOUND'
  | 'MEMBER_NOT_IN_RESULT'
  | 'NOT_A_COORDINATOR'
  | 'FIXED_PERCENTAGES_INVALID'
  | 'FORBIDDEN_SCOPE';

export const reconciliationErrorStatus = registerErrorStatuses({
  PAYER_UNKNOWN: 404,
  NO_INVOICE: 422,
  MIXED_ISSUERS: 422,
  CREDIT_EXCEEDS_INVOICE: 422,
  SPLIT_IMPOSSIBLE: 422,
  PERIOD_CLOSED: 409,
  PERIOD_NOT_CLOSED: 409,
  PERIOD_INVALID: 400,
  RECONCILIATION_NOT_FOUND: 404,
  MEMBER_NOT_IN_RESULT: 404,
  NOT_A_COORDINATOR: 422,
  FIXED_PERCENTAGES_INVALID: 422,
  FORBIDDEN_SCOPE: 403,
} satisfies Record<ReconciliationErrorCode, number>);

export class ReconciliationError extends DomainError<ReconciliationErrorCode> {}
