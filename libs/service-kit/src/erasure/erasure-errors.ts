/**
 * The one set of error codes of the erasure protocol (docs/adr/0019). Each is permanent: the consumer
 * dead-letters the command at once with the code and the message as its reason, erases nothing and
 * acknowledges nothing (a refused command is never acknowledged with 0).
 */
export const ERASURE_ERROR_CODES = {
  /** The command has neither a subject-level scope (registration, subject, allocation) nor a cut-off. */
  ERASURE_UNSCOPED: 'ERASURE_UNSCOPED',
  /** The command names this service but a category it does not own (misrouted by the orchestrator). */
  ERASURE_CATEGORY_NOT_OWNED: 'ERASURE_CATEGORY_NOT_OWNED',
  /** An erasure id this service already applied for another category (a command id used twice). */
  ERASURE_ID_CONFLICT: 'ERASURE_ID_CONFLICT',
} as const;

export type ErasureErrorCode = keyof typeof ERASURE_ERROR_CODES;
