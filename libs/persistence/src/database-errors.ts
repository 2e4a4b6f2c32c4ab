import { POOL_ACQUIRE_TIMEOUT_MESSAGE } from './data-source-options';

/**
 * PostgreSQL error codes that mean "the database cannot serve this request now", not "the request is
 * wrong": a statement cancelled by statement_timeout, a session ended by
 * idle_in_transaction_session_timeout, too many connections, a server shutting down or starting up.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '25P03', '53300', '57P01', '57P02', '57P03']);
const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
const UNAVAILABLE_MESSAGES = [
  POOL_ACQUIRE_TIMEOUT_MESSAGE,
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
];

/**
 * Whether an error thrown by a query means the database is unavailable or overloaded (pool exhausted,
 * timeouts, connection lost), so an HTTP request should answer 503 rather than 500. Works on pg errors,
 * pg-pool errors and TypeORM's QueryFailedError (which keeps the pg error as `driverError`).
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string') {
      if (UNAVAILABLE_SQLSTATES.has(candidate.code) || UNAVAILABLE_NETWORK_CODES.has(candidate.code))
        return true;
    }
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => candidate.message === m))
      return true;
    e = candidate.driverError ?? candidate.cause;
  }
  return false;
}
