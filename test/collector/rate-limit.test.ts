// The token bucket: burst, refill over time, Retry-After, and a bounded table.
import { describe, expect, it } from 'vitest';
import { createTokenBucketLimiter } from '../../src/collector/rate-limit';

describe('token bucket rate limiter', () => {
  it('allows a burst, then one request per refill interval', () => {
    let t = 0;
    const limiter = createTokenBucketLimiter({ burst: 2, perMinute: 6, now: () => t });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    t = 9_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t = 10_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('forgets the least recently seen client when the table is full, never refusing a new one for lack of room', () => {
    const t = 0;
    const limiter = createTokenBucketLimiter({ burst: 1, perMinute: 1, maxClients: 2, now: () => t });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('c').allowed).toBe(true);
    // b was the least recently seen, so it starts afresh; a is still limited.
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });

  it('rejects settings that could never refill', () => {
    expect(() => createTokenBucketLimiter({ burst: 0, perMinute: 1 })).toThrow(/burst/);
    expect(() => createTokenBucketLimiter({ burst: 1, perMinute: 0 })).toThrow(/perMinute/);
  });
});
