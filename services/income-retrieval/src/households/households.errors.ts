import { DomainError, registerErrorStatuses } from '@divit/service-kit';

/** Codes are unique across the service's modules (one status lookup for all tables). */
export type IncomeRetrievalErrorCode =
  | 'ALLOCATION_NOT_FOUND'
  | 'ALLOCATION_ALREADY_DECIDED'
  | 'ALLOCATION_EXEMPT'
  | 'STATEMENT_NOT_FOUND'
  | 'NORMS_YEAR_MISMATCH'
  | 'NORMS_ALREADY_PUBLISHED'
  | 'NORMS_VERSION_TAKEN';

export const incomeRetrievalErrorStatus = registerErrorStatuses({
  ALLOCATION_NOT_FOUND: 404,
  ALLOCATION_ALREADY_DECIDED: 409,
  ALLOCATION_EXEMPT: 409,
  STATEMENT_NOT_FOUND: 404,
  NORMS_YEAR_MISMATCH: 400,
  NORMS_ALREADY_PUBLISHED: 409,
  NORMS_VERSION_TAKEN: 409,
} satisfies Record<IncomeRetrievalErrorCode, number>);

export class IncomeRetrievalError extends DomainError<IncomeRetrievalErrorCode> {}
