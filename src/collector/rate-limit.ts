// Per-client token buckets, in memory only, keyed by a salted hash so not even the process keeps client addresses.
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ipv6ToBigInt, normaliseAddress } from './geo';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until one token is back, for Retry-After. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(address: string): RateLimitDecision;
}

export interface TokenBucketOptions {
  /** Requests a client may send at once (the extension flushes its queue in one burst). */
  burst: number;
  /** Sustained requests per minute. */
  perMinute: number;
  /** Bounds memory under a flood of distinct addresses; the least recently seen client is forgotten first. */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * What one client is: an IPv4 address, or an IPv6 /64. A single subscriber usually gets a whole
 * /64 (often larger), so keying on full IPv6 addresses would give one client 2^64 buckets.
 */
export function clientKey(address: string): string {
  const ip = normaliseAddress(address);
  if (ip === null) return address;
  if (isIP(ip) === 4) return ip;
  return `${(ipv6ToBigInt(ip) >> 64n).toString(16)}::/64`;
}

export function createTokenBucketLimiter(options: TokenBucketOptions): RateLimiter {
  const { burst, perMinute, maxClients = 100_000, now = () => Date.now() } = options;
  if (!(burst >= 1) || !(perMinute > 0)) throw new Error('rate limit: burst must be >= 1 and perMinute > 0');
  const perMs = perMinute / 60_000;
  // A fresh salt per process: the keys mean nothing after a restart and cannot be reversed by a table of all IPv4 hashes.
  const salt = randomBytes(32);
  const buckets = new Map<string, Bucket>();

  return {
    take(address) {
      const key = createHmac('sha256', salt).update(clientKey(address)).digest('base64');
      const t = now();
      const previous = buckets.get(key);
      const tokens = previous === undefined ? burst : Math.min(burst, previous.tokens + (t - previous.at) * perMs);
      // Re-inserting moves the key to the end of the Map's order, which makes the first key the least recently seen.
      buckets.delete(key);
      if (buckets.size >= maxClients) {
        const oldest = buckets.keys().next();
        if (oldest.done !== true) buckets.delete(oldest.value);
      }
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: t });
        return { allowed: true, retryAfterSeconds: 0 };
      }
      buckets.set(key, { tokens, at: t });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    },
  };
}
