/**
 * Redaction applied to every structured log record before it is written.
 * - Any field whose name looks like a BSN or a secret is replaced, at any depth.
 * - Any run of exactly nine digits inside a string (the shape of a BSN) is masked, as defence in depth:
 *   the plain BSN must never reach a log even if a developer interpolates it into a message.
 */
export const REDACTED = '[REDACTED]';

const SENSITIVE_KEY =
  /(bsn|burgerservicenummer|password|passwd|secret|token|authorization|cookie|private[_-]?key|hmac[_-]?key|api[_-]?key|signature)/i;
const NINE_DIGITS = /(?<!\d)\d{9}(?!\d)/g;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

export function scrubString(value: string): string {
  return value.replace(NINE_DIGITS, '[REDACTED-9]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[DEPTH]';
  if (typeof value === 'string') return scrubString(value);
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 1e8 && value < 1e9 ? '[REDACTED-9]' : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return describeError(value);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSensitiveKey(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/**
 * Errors are logged by name, code and a scrubbed message only: raw exceptions may carry request data.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  const stackTop = error.stack
    ?.split('\n')
    .slice(1, 4)
    .map((l) => scrubString(l.trim()));
  return {
    name: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    message: scrubString(error.message),
    ...(stackTop ? { at: stackTop } : {}),
  };
}
