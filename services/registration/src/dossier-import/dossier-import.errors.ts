import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type DossierImportErrorCode =
  | 'IMPORT_HEADER_INVALID'
  | 'IMPORT_FILE_UNREADABLE'
  | 'IMPORT_IN_PROGRESS'
  | 'IMPORT_DELTA_WITHOUT_FULL_LOAD'
  | 'IMPORT_SOURCE_INVALID'
  | 'IMPORT_CONTENT_TYPE'
  | 'IMPORT_LOAD_NOT_FOUND'
  | 'MIGRATION_WINDOW_CLOSED';

export const dossierImportErrorStatus = registerErrorStatuses({
  IMPORT_HEADER_INVALID: 422,
  IMPORT_FILE_UNREADABLE: 422,
  IMPORT_IN_PROGRESS: 409,
  IMPORT_DELTA_WITHOUT_FULL_LOAD: 409,
  IMPORT_SOURCE_INVALID: 400,
  IMPORT_CONTENT_TYPE: 415,
  IMPORT_LOAD_NOT_FOUND: 404,
  MIGRATION_WINDOW_CLOSED: 403,
} satisfies Record<DossierImportErrorCode, number>);

/** Messages and details never carry data from the file (only column names, codes and line numbers). */
export class DossierImportError extends DomainError<DossierImportErrorCode> {}
