/**
 * Base class for a module's domain errors. Each module declares a `...ErrorCode` union and one table
 * mapping every code to an HTTP status (`satisfies Record<Code, number>`), so a new code without a
 * status fails the typecheck. Messages must not contain personal data: they are returned to callers.
 */
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** Structured, non-personal details, returned in the problem document. */
    readonly details?: Record<string, unknown>,
    /** Whether a Kafka consumer should dead-letter at once instead of retrying. */
    readonly permanent = true,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

const statusTables: Record<string, number>[] = [];

/** Registers a module's code → HTTP status table (call once at module load). */
export function registerErrorStatuses<C extends string>(table: Record<C, number>): Record<C, number> {
  statusTables.push(table);
  return table;
}

export function statusFor(code: string): number | undefined {
  for (const table of statusTables) if (code in table) return table[code];
  return undefined;
}

export function isDomainError(error: unknown): error is DomainError<string> {
  return error instanceof DomainError;
}
