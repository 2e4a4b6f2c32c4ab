import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type OrganisationErrorCode =
  | 'DIVIT_NOT_APPLICABLE'
  | 'COORDINATOR_REQUIRED'
  | 'COORDINATOR_NOT_ALLOWED'
  | 'COORDINATOR_UNKNOWN'
  | 'ORGANISATION_NAME_TAKEN'
  | 'ORGANISATION_NOT_FOUND';

export const organisationErrorStatus = registerErrorStatuses({
  DIVIT_NOT_APPLICABLE: 422,
  COORDINATOR_REQUIRED: 422,
  COORDINATOR_NOT_ALLOWED: 422,
  COORDINATOR_UNKNOWN: 422,
  ORGANISATION_NAME_TAKEN: 409,
  ORGANISATION_NOT_FOUND: 404,
} satisfies Record<OrganisationErrorCode, number>);

export class OrganisationError extends DomainError<OrganisationErrorCode> {}
