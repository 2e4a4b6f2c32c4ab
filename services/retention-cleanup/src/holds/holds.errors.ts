import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type HoldErrorCode = 'HOLD_NOT_FOUND' | 'HOLD_ALREADY_LIFTED' | 'SUBJECT_NOT_FOUND';

export const holdErrorStatus = registerErrorStatuses({
  HOLD_NOT_FOUND: 404,
  HOLD_ALREADY_LIFTED: 409,
  SUBJECT_NOT_FOUND: 404,
} satisfies Record<HoldErrorCode, number>);

export class HoldError extends DomainError<HoldErrorCode> {}
