import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type HoldErrorCode = 'HOLD_NOT_FOUND' | 'HOLD_ALREADY_LIFTED';

export const holdErrorStatus = registerErrorStatuses({
  HOLD_NOT_FOUND: 404,
  HOLD_ALREADY_LIFTED: 409,
} satisfies Record<HoldErrorCode, number>);

export class HoldError extends DomainError<HoldErrorCode> {}
