/**
 * The one polling helper of the tests and tools: calls `probe` every `intervalMs` until it returns a value
 * `until` accepts (or, without `until`, until it returns without throwing — so a block of `expect`s can be
 * polled) and resolves with that value. At the deadline it THROWS an EventuallyTimeout naming `description`
 * and the last value or error; it never returns a value that did not meet the condition.
 */
export interface EventuallyOptions<T> {
  /** What is awaited, for the timeout message ("the allocation's income rows"). */
  description: string;
  /** The condition on the probed value; default: any value (the probe not throwing is the condition). */
  until?: (value: T) => boolean;
  /** Default 30 000 ms. */
  timeoutMs?: number;
  /** Pause between probes; default 100 ms. */
  intervalMs?: number;
}

export class EventuallyTimeout extends Error {
  constructor(
    message: string,
    readonly lastValue: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventuallyTimeout';
  }
}

const describeValue = (value: unknown): string => {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (text === undefined) return String(value);
    return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
  } catch {
    return String(value);
  }
};

export async function eventually<T>(probe: () => T | Promise<T>, options: EventuallyOptions<T>): Promise<T> {
  const { description, until, timeoutMs = 30_000, intervalMs = 100 } = options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let attempts = 0;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    attempts += 1;
    try {
      const value = await probe();
      if (until === undefined || until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
  const elapsed = Date.now() - started;
  const head = `timed out after ${elapsed} ms (limit ${timeoutMs} ms, ${attempts} attempts) waiting for ${description}`;
  if ('error' in last) {
    const message = last.error instanceof Error ? last.error.message : describeValue(last.error);
    throw new EventuallyTimeout(`${head}; last error: ${message}`, undefined, { cause: last.error });
  }
  throw new EventuallyTimeout(`${head}; last value: ${describeValue(last.value)}`, last.value);
}
