import { TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then refuses with the time until the next token, then refills at the rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const limiter = new TokenBucketLimiter({ perMinute: 1, burst: 1 }, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('forgets buckets that have refilled, so memory stays bounded', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 600, burst: 10 }, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`client-${i}`);
    expect(limiter.size).toBe(100);
    now += 60_000;
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });
});
