/**
 * The BSN (burgerservicenummer) as a value that exists only in memory while one request is processed.
 * It has no toString/toJSON that reveals the digits: interpolating or serialising it by mistake gives
 * "[BSN]", so it cannot slip into a log line, an error message, an event or a response.
 */
export class Bsn {
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  /** The digits, for the two places that need them: the BV BSN call and the keyed hash. */
  reveal(): string {
    return this.#digits;
  }

  toString(): string {
    return '[BSN]';
  }

  toJSON(): string {
    return '[BSN]';
  }

  /** Parses a BSN: exactly nine digits passing the eleven-test; null otherwise (never an error naming it). */
  static parse(value: unknown): Bsn | null {
    if (typeof value !== 'string' || !isValidBsnForm(value)) return null;
    return new Bsn(value);
  }
}

/**
 * Form check before any call: nine digits and the eleven-test (elfproef):
 * 9·d1 + 8·d2 + … + 2·d8 − 1·d9 must be a multiple of 11 (and all zeros is not a BSN).
 */
export function isValidBsnForm(value: string): boolean {
  if (!/^\d{9}$/.test(value) || value === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i);
  sum -= Number(value[8]);
  return sum % 11 === 0;
}
