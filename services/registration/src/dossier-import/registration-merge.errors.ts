import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type RegistrationMergeErrorCode =
  | 'MERGE_SAME_REGISTRATION'
  | 'MERGE_REGISTRATION_NOT_FOUND'
  | 'MERGE_REGISTRATION_DEREGISTERED'
  | 'MERGE_DUPLICATE_HAS_ALLOCATIONS'
  | 'MERGE_IMPORT_IN_PROGRESS';

export const registrationMergeErrorStatus = registerErrorStatuses({
  MERGE_SAME_REGISTRATION: 422,
  MERGE_REGISTRATION_NOT_FOUND: 404,
  MERGE_REGISTRATION_DEREGISTERED: 409,
  MERGE_DUPLICATE_HAS_ALLOCATIONS: 409,
  MERGE_IMPORT_IN_PROGRESS: 409,
} satisfies Record<RegistrationMergeErrorCode, number>);

/** Messages carry registration ids at most, never personal data. */
export class RegistrationMergeError extends DomainError<RegistrationMergeErrorCode> {}
