import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type RegistrationErrorCode =
  | 'REGISTRATION_NOT_FOUND'
  | 'ORGANISATION_NOT_VISIBLE'
  | 'REGISTRATION_DEREGISTERED'
  | 'REGISTRATION_DATE_BEFORE_BIRTH';

export const registrationErrorStatus = registerErrorStatuses({
  // Another organisation's registration is "not found", never "forbidden": existence does not leak.
  REGISTRATION_NOT_FOUND: 404,
  ORGANISATION_NOT_VISIBLE: 422,
  REGISTRATION_DEREGISTERED: 409,
  REGISTRATION_DATE_BEFORE_BIRTH: 422,
} satisfies Record<RegistrationErrorCode, number>);

export class RegistrationError extends DomainError<RegistrationErrorCode> {}
