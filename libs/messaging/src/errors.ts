/**
 * Failure codes that decide what the consumer does with a message:
 * permanent ones go straight to the dead-letter topic, transient ones are retried with backoff first.
 */
export type MessagingErrorCode =
  | 'NOT_CONFLUENT_FRAMED'
  | 'UNKNOWN_SCHEMA_ID'
  | 'SCHEMA_REGISTRY_UNAVAILABLE'
  | 'UNREADABLE_WITH_READER_SCHEMA'
  | 'MISSING_EVENT_ID'
  | 'INVALID_EVENT'
  | 'HANDLER_FAILED';

const PERMANENT: Record<MessagingErrorCode, boolean> = {
  NOT_CONFLUENT_FRAMED: true,
  UNKNOWN_SCHEMA_ID: true,
  SCHEMA_REGISTRY_UNAVAILABLE: false,
  UNREADABLE_WITH_READER_SCHEMA: true,
  MISSING_EVENT_ID: true,
  INVALID_EVENT: true,
  HANDLER_FAILED: false,
} satisfies Record<MessagingErrorCode, boolean>;

export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessagingError';
  }

  get permanent(): boolean {
    return PERMANENT[this.code];
  }
}

/**
 * Thrown by a handler (or any domain error with `permanent: true`) to skip retries and dead-letter the
 * message at once, e.g. an event that references something that can never exist.
 */
export class PermanentHandlerError extends Error {
  readonly permanent = true;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentHandlerError';
  }
}

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'HANDLER_FAILED';
}

const PG_CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An outage of something the consumer depends on (schema registry, database), not a fault of the message:
 * such failures are retried until the dependency is back instead of dead-lettering good messages.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof MessagingError) return error.code === 'SCHEMA_REGISTRY_UNAVAILABLE';
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown };
  if (typeof e.code === 'string' && (PG_CONNECTION_CODES.has(e.code) || NET_CODES.has(e.code))) return true;
  if (
    typeof e.message === 'string' &&
    // TypeORM's words for a data source closed under a running handler (shutdown): not the message's fault.
    /Connection terminated|connection timeout|Client has encountered a connection error|Driver not Connected|Query runner already released|Cannot use a pool after calling end/i.test(
      e.message,
    )
  ) {
    return true;
  }
  return e.driverError !== undefined && e.driverError !== error
    ? isInfrastructureError(e.driverError)
    : false;
}
