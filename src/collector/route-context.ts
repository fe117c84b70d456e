// What every route of the collector's API shares: the Hono environment, the store and geo, the client address, the rate limit and the 503.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Readable } from 'node:stream';
import type { Catalog } from '../core/catalog';
import { errorText } from '../core/error-text';
import type { Geo } from './geo';
import type { Logger } from './logger';
import type { RateLimiter } from './rate-limit';
import { StoreUnavailableError } from './store';
import type { Store } from './store';

/** Only the fields the API reads from @hono/node-server's bindings, so tests can pass a fake socket address. */
export interface CollectorBindings {
  incoming?: { socket?: { remoteAddress?: string } } | Readable;
}

/** What became of a request, logged with it. */
export type Outcome =
  | 'accepted'
  | 'duplicate'
  | 'rate_limited'
  | 'unsupported_media_type'
  | 'too_large'
  | 'invalid_json'
  | 'invalid_report'
  | 'invalid_query'
  | 'catalog_unavailable'
  | 'relay_unavailable'
  | 'credentials'
  | 'store_unavailable'
  | 'unlocated';

export type CollectorEnv = { Bindings: CollectorBindings; Variables: { outcome: Outcome } };
export type CollectorApp = Hono<CollectorEnv>;
export type CollectorContext = Context<CollectorEnv>;

export interface RouteContext {
  store: Store;
  geo: Geo;
  logger: Logger;
  now: () => Date;
  /** Bumped when stored verdicts were judged again: answers cached before are dropped. */
  statsGeneration: () => number;
  /** The catalog served, if any: reports keep only its ids, pages name its apps. */
  catalog: Catalog | undefined;
  /** The client's address, for a lookup or a rate-limit bucket only: never stored, never logged. */
  clientAddress(c: CollectorContext): string | undefined;
  /** The same from Node's own request (the reports fast path): the socket's, or our proxy's X-Forwarded-For entry. */
  nodeClientAddress(forwardedFor: string | undefined, socketAddress: string | undefined): string | undefined;
  /** Takes a token from the client's bucket: seconds to wait when it is empty, null when the request may go on. */
  retryAfter(address: string | undefined): number | null;
  /** Logs a store error that is not a plain outage (its message is the driver's, never a client address). */
  logStoreError(error: unknown): void;
  /** Answers 429 to a client past its rate; lets every request through when there is no limiter. */
  limited: MiddlewareHandler<CollectorEnv>;
  /** The database is down, full or behind: a 503 the client retries with the same id, which makes the retry safe. */
  storeUnavailable(c: CollectorContext, error: unknown): Response;
}

export interface RouteContextOptions {
  store: Store;
  geo: Geo;
  logger: Logger;
  /** null disables rate limiting (the benchmark). */
  rateLimit: RateLimiter | null;
  /** Take the client address from the last X-Forwarded-For entry (set by our own reverse proxy) instead of the socket. */
  trustProxy: boolean;
  now: () => Date;
  statsGeneration: () => number;
  catalog: Catalog | undefined;
}

function addressOf(forwardedFor: string | undefined, socketAddress: string | undefined, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    // Our proxy appends the address it saw; anything to the left of it was written by the client.
    const last = forwardedFor?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return socketAddress;
}

function clientAddress(c: CollectorContext, trustProxy: boolean): string | undefined {
  const incoming = c.env?.incoming;
  const socketAddress = incoming !== undefined && 'socket' in incoming ? incoming.socket?.remoteAddress : undefined;
  return addressOf(trustProxy ? c.req.header('x-forwarded-for') : undefined, socketAddress, trustProxy);
}

export const RATE_LIMITED_BODY = { error: 'too many requests, retry later' };
export const STORE_UNAVAILABLE_BODY = { error: 'storage is unavailable, retry later' };
/** Seconds a client waits after a 503 of the store. */
export const STORE_RETRY_AFTER = '5';

export function createRouteContext(options: RouteContextOptions): RouteContext {
  const { rateLimit, trustProxy, logger } = options;
  const addressOfContext = (c: CollectorContext) => clientAddress(c, trustProxy);
  const retryAfter = (address: string | undefined): number | null => {
    if (rateLimit === null) return null;
    const decision = rateLimit.take(address ?? '');
    return decision.allowed ? null : decision.retryAfterSeconds;
  };
  const logStoreError = (error: unknown) => {
    if (error instanceof StoreUnavailableError) return;
    // The message is the database driver's; the client address is never passed to the store.
    logger.error('storage failed', { name: error instanceof Error ? error.name : 'unknown', message: errorText(error).slice(0, 300) });
  };
  return {
    store: options.store,
    geo: options.geo,
    logger,
    now: options.now,
    statsGeneration: options.statsGeneration,
    catalog: options.catalog,
    clientAddress: addressOfContext,
    nodeClientAddress: (forwardedFor, socketAddress) => addressOf(forwardedFor, socketAddress, trustProxy),
    retryAfter,
    logStoreError,
    limited: async (c, next) => {
      const seconds = retryAfter(addressOfContext(c));
      if (seconds !== null) {
        c.set('outcome', 'rate_limited');
        c.header('Retry-After', String(seconds));
        return c.json(RATE_LIMITED_BODY, 429);
      }
      await next();
    },
    storeUnavailable: (c, error) => {
      c.set('outcome', 'store_unavailable');
      logStoreError(error);
      c.header('Retry-After', STORE_RETRY_AFTER);
      return c.json(STORE_UNAVAILABLE_BODY, 503);
    },
  };
}

/** A 400 for a query the API does not take. */
export function invalidQuery(c: CollectorContext, message: string): Response {
  c.set('outcome', 'invalid_query');
  return c.json({ error: message }, 400);
}

/** The query's parameters, or null when one appears twice (which one would count is then ambiguous). */
export function singleParams(c: CollectorContext): Record<string, string> | null {
  const params = new URL(c.req.url).searchParams;
  const keys = [...params.keys()];
  return new Set(keys).size === keys.length ? Object.fromEntries(params) : null;
}
