/** Settings of the per-client request rate limit. */
export interface RateLimitSettings {
  enabled: boolean;
  /** Tokens added to a client's bucket per minute (the sustained rate). */
  perMinute: number;
  /** Bucket size: requests a client may send at once. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * An in-process token bucket per client key. Each process limits on its own (with two replicas a client
 * gets up to twice the rate through a load balancer); that is enough to keep one client from exhausting a
 * replica's pool. Memory is bounded: buckets that have refilled completely are forgotten.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(
    private readonly settings: Pick<RateLimitSettings, 'perMinute' | 'burst'>,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 50_000,
  ) {
    this.perMs = settings.perMinute / 60_000;
    this.lastSweep = now();
  }

  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.settings.burst, updatedAt: now };
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)),
    };
  }

  /** Number of clients currently tracked (tests, metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets full buckets (at most once per refill period, or when too many keys are tracked). */
  private sweep(now: number): void {
    const refillMs = this.settings.burst / this.perMs;
    if (now - this.lastSweep < refillMs && this.buckets.size < this.maxKeys) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets)
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.settings.burst)
        this.buckets.delete(key);
  }
}
