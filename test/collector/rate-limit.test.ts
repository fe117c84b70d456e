// The token bucket: burst, refill over time, Retry-After, and a bounded table.
import { describe, expect, it } from 'vitest';
import { clientKey, createTokenBucketLimiter } from '../../src/collector/rate-limit';

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

  it('counts a whole IPv6 /64 as one client, and IPv4 addresses one by one', () => {
    const limiter = createTokenBucketLimiter({ burst: 3, perMinute: 1, now: () => 0 });
    const allowed = Array.from({ length: 100 }, (_, i) => limiter.take(`2001:db8:1:2::${i.toString(16)}`).allowed);
    expect(allowed.filter(Boolean)).toHaveLength(3);
    expect(limiter.take('2001:db8:1:3::1').allowed).toBe(true);
    expect(limiter.take('192.0.2.1').allowed).toBe(true);
    expect(limiter.take('192.0.2.2').allowed).toBe(true);
    expect(clientKey('2001:DB8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2::ffff'));
    expect(clientKey('::ffff:192.0.2.1')).toBe(clientKey('192.0.2.1'));
  });
});

