import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type TariffErrorCode = 'TARIFF_NOT_FOUND' | 'TARIFF_FILE_INVALID';

export const tariffErrorStatus = registerErrorStatuses({
  TARIFF_NOT_FOUND: 422,
  TARIFF_FILE_INVALID: 500,
} satisfies Record<TariffErrorCode, number>);

export class TariffError extends DomainError<TariffErrorCode> {}
