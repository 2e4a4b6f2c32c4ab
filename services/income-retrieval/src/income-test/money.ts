/**
 * Indexing an income in cents by a decimal factor with at most 6 decimals, in exact integer arithmetic.
 * Rounding rule: round half away from zero to the whole cent (for non-negative incomes: half up), i.e.
 * 1000.5 cents → 1001, 1000.4999… → 1000, -1000.5 → -1001. Verzamelinkomen can be negative.
 */
export function parseFactorMicros(factor: string): bigint {
  const m = /^(\d+)\.(\d{1,6})$/.exec(factor);
  if (!m) throw new Error(`invalid factor ${factor}`);
  return BigInt(m[1] ?? '0') * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}

export function indexCents(incomeCents: number, factor: string): number {
  if (!Number.isSafeInteger(incomeCents)) throw new Error('income must be an integer number of cents');
  const micros = parseFactorMicros(factor);
  const product = BigInt(incomeCents) * micros;
  const negative = product < 0n;
  const abs = negative ? -product : product;
  const rounded = (abs + 500_000n) / 1_000_000n;
  return Number(negative ? -rounded : rounded);
}
