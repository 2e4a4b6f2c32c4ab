import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type RegistrationErrorCode =
  'REGISTRATION_NOT_FOUND' | 'ORGANISATION_NOT_VISIBLE' | 'REGISTRATION_DEREGISTERED';

export const registrationErrorStatus = registerErrorStatuses({
  // Another organisation's registration is "not found", never "forbidden": existence does not leak.
  REGISTRATION_NOT_FOUND: 404,
  ORGANISATION_NOT_VISIBLE: 422,
  REGISTRATION_DEREGISTERED: 409,
} satisfies Record<RegistrationErrorCode, number>);

export class RegistrationError extends DomainError<RegistrationErrorCode> {}
