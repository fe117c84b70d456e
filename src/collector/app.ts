// The collector's HTTP API as a Hono app: reports in, suppressed aggregates and the signed catalog out.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import * as v from 'valibot';
import type { Catalog } from '../core/catalog';
import { parseSharedReport, SharedIdSchema } from '../core/shared-report';
import type { SignedCatalog } from '../core/verify-catalog';
import { signCatalog } from './catalog-signer';
import type { CatalogSigner } from './catalog-signer';
import type { Geo } from './geo';
import type { Logger } from './logger';
import type { RateLimiter } from './rate-limit';
import { UNKNOWN_ASN, UNKNOWN_CC } from './store';
import type { AppCounts, Store } from './store';

/** A stats cell (one app under one filter) is published only with at least this many reports. */
export const MIN_REPORTS_PER_CELL = 5;
export const DEFAULT_STATS_DAYS = 7;
export const MAX_STATS_DAYS = 90;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Older reports are refused: they fall outside every stats window, and a queue that old is more likely replayed than delayed. */
export const MAX_REPORT_AGE_DAYS = MAX_STATS_DAYS;
/** The report's hour is rounded down, so a correct clock is never ahead; an hour of slack covers clock drift. */
const MAX_CLOCK_AHEAD_MS = 3_600_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Only the fields the API reads from @hono/node-server's bindings, so tests can pass a fake socket address. */
export interface CollectorBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

type Outcome =
  | 'accepted'
  | 'duplicate'
  | 'rate_limited'
  | 'unsupported_media_type'
  | 'too_large'
  | 'invalid_json'
  | 'invalid_report'
  | 'invalid_query'
  | 'catalog_unavailable'
  | 'unlocated';

type CollectorEnv = { Bindings: CollectorBindings; Variables: { outcome: Outcome } };

export interface AppOptions {
  store: Store;
  geo: Geo;
  /** null disables rate limiting (the benchmark). */
  rateLimit: RateLimiter | null;
  logger: Logger;
  /** The catalog to serve; without it, or without a signer, GET /v1/catalog answers 503. */
  catalog?: Catalog;
  signer?: CatalogSigner;
  /** Take the client address from the last X-Forwarded-For entry (set by our own reverse proxy) instead of the socket. */
  trustProxy?: boolean;
  maxBodyBytes?: number;
  now?: () => Date;
}

const EXTENSION_ORIGIN = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36})$/;
/** Paths logged as themselves; anything else is logged as "other" so a request path cannot write into the log. */
const LOGGED_PATHS = new Set(['/v1/reports', '/v1/stats', '/v1/catalog', '/healthz']);

function hourFloor(ms: number): string {
  return new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The pattern allows e.g. February 30th; only a real hour survives the round trip through Date. */
function isRealHour(hour: string): boolean {
  const ms = Date.parse(hour);
  return Number.isFinite(ms) && hourFloor(ms) === hour;
}

function clientAddress(c: Context<CollectorEnv>, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    // Our proxy appends the address it saw; anything to the left of it was written by the client.
    const last = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return c.env?.incoming?.socket?.remoteAddress;
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

const StatsQuerySchema = v.strictObject({
  cc: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, 'cc is a two-letter country code'), v.toUpperCase())),
  asn: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(AS)?\d{1,10}$/i, 'asn is a number, optionally prefixed with AS'),
      v.transform((s) => Number(s.replace(/^AS/i, ''))),
      v.minValue(1, 'asn is at least 1'),
      v.maxValue(4_294_967_295, 'asn is at most 4294967295'),
    ),
  ),
  app: v.optional(SharedIdSchema),
  /** `mine`: the caller's own country and network, derived from the request address like a report's (then forgotten). */
  network: v.optional(v.literal('mine', 'network can only be "mine"')),
  days: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'days is a whole number'),
      v.transform(Number),
      v.minValue(1, 'days is at least 1'),
      v.maxValue(MAX_STATS_DAYS, `days is at most ${MAX_STATS_DAYS}`),
    ),
  ),
});

export interface StatsResponse {
  cc: string | null;
  asn: number | null;
  app: string | null;
  days: number;
  /** First hour counted, UTC. */
  since: string;
  minReportsPerCell: number;
  apps: AppCounts[];
  /** How many apps matched the filter but had fewer than minReportsPerCell reports. */
  suppressed: number;
}

export function createApp(options: AppOptions): Hono<CollectorEnv> {
  const { store, geo, rateLimit, logger, trustProxy = false, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options;
  const now = options.now ?? (() => new Date());
  // Signed once: the payload string is fixed for the life of the process, so every response carries identical bytes.
  const signedCatalog: SignedCatalog | undefined =
    options.catalog !== undefined && options.signer !== undefined ? signCatalog(options.catalog, options.signer) : undefined;

  const app = new Hono<CollectorEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const outcome = c.get('outcome');
    logger.info('request', {
      method: c.req.method,
      path: LOGGED_PATHS.has(c.req.path) ? c.req.path : 'other',
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      ...(outcome === undefined ? {} : { outcome }),
    });
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      // The API is read cross-origin by the extension; the data is public aggregates or the sender's own report.
      crossOriginResourcePolicy: 'cross-origin',
      referrerPolicy: 'no-referrer',
    }),
  );
  app.use(
    '/v1/*',
    cors({
      origin: (origin) => (EXTENSION_ORIGIN.test(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type'],
      exposeHeaders: ['Retry-After'],
      maxAge: 86_400,
    }),
  );

  const limited = async (c: Context<CollectorEnv>, next: () => Promise<void>) => {
    if (rateLimit !== null) {
      const decision = rateLimit.take(clientAddress(c, trustProxy) ?? '');
      if (!decision.allowed) {
        c.set('outcome', 'rate_limited');
        c.header('Retry-After', String(decision.retryAfterSeconds));
        return c.json({ error: 'too many requests, retry later' }, 429);
      }
    }
    await next();
  };

  app.post(
    '/v1/reports',
    limited,
    async (c, next) => {
      if (!isJsonContentType(c.req.header('content-type'))) {
        c.set('outcome', 'unsupported_media_type');
        return c.json({ error: 'Content-Type must be application/json (UTF-8)' }, 415);
      }
      await next();
    },
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        c.set('outcome', 'too_large');
        return c.json({ error: `body is larger than ${maxBodyBytes} bytes` }, 413);
      },
    }),
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        c.set('outcome', 'invalid_json');
        return c.json({ error: 'body is not valid JSON' }, 400);
      }
      const parsed = parseSharedReport(body);
      if (!parsed.ok) {
        c.set('outcome', 'invalid_report');
        return c.json({ error: parsed.error, path: parsed.path }, 400);
      }
      const report = parsed.report;
      const t = now().getTime();
      const hourMs = Date.parse(report.hour);
      if (!isRealHour(report.hour) || hourMs > t + MAX_CLOCK_AHEAD_MS || hourMs < t - MAX_REPORT_AGE_DAYS * DAY_MS) {
        c.set('outcome', 'invalid_report');
        return c.json(
          { error: `invalid report at hour: not a real hour within the last ${MAX_REPORT_AGE_DAYS} days`, path: 'hour' },
          400,
        );
      }
      // The address is used for this lookup only and goes out of scope with this handler.
      const location = await geo.lookup(clientAddress(c, trustProxy) ?? '');
      const result = await store.insert({
        report,
        cc: location?.cc ?? UNKNOWN_CC,
        asn: location?.asn ?? UNKNOWN_ASN,
        receivedHour: hourFloor(t),
      });
      c.set('outcome', result === 'created' ? 'accepted' : 'duplicate');
      return c.json({ id: report.id }, 202);
    },
  );

  app.get('/v1/stats', limited, async (c) => {
    const params = new URL(c.req.url).searchParams;
    const keys = [...params.keys()];
    if (new Set(keys).size !== keys.length) {
      c.set('outcome', 'invalid_query');
      return c.json({ error: 'each query parameter may appear once' }, 400);
    }
    const query = v.safeParse(StatsQuerySchema, Object.fromEntries(params));
    if (!query.success) {
      const issue = query.issues[0];
      const key = String(issue.path?.[0]?.key ?? '').slice(0, 40);
      c.set('outcome', 'invalid_query');
      return c.json({ error: `invalid query${key ? ` at ${key}` : ''}: ${issue.message}`.slice(0, 300) }, 400);
    }
    const { app: appId, days = DEFAULT_STATS_DAYS, network } = query.output;
    let { cc, asn } = query.output;
    if (network === 'mine') {
      if (cc !== undefined || asn !== undefined) {
        c.set('outcome', 'invalid_query');
        return c.json({ error: 'invalid query: network=mine cannot be combined with cc or asn' }, 400);
      }
      // The address is used for this lookup only; the answer names the network, which the caller shares anyway.
      const location = await geo.lookup(clientAddress(c, trustProxy) ?? '');
      if (!location) {
        c.set('outcome', 'unlocated');
        return c.json({ error: 'the network of this connection is not known to the collector' }, 404);
      }
      ({ cc, asn } = location);
    }
    const since = hourFloor(now().getTime() - days * DAY_MS);
    const counts = await store.appCounts({ since, cc, asn, appId });
    const shown = counts.filter((row) => row.total >= MIN_REPORTS_PER_CELL);
    const response: StatsResponse = {
      cc: cc ?? null,
      asn: asn ?? null,
      app: appId ?? null,
      days,
      since,
      minReportsPerCell: MIN_REPORTS_PER_CELL,
      apps: shown,
      suppressed: counts.length - shown.length,
    };
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(response);
  });

  app.get('/v1/catalog', (c) => {
    if (signedCatalog === undefined) {
      c.set('outcome', 'catalog_unavailable');
      return c.json({ error: 'no signed catalog is configured on this collector' }, 503);
    }
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(signedCatalog);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    // The message is the server's own (storage, geo); the client address is never passed to either.
    logger.error('unhandled error', { name: error.name, message: error.message.slice(0, 500) });
    return c.json({ error: 'internal error' }, 500);
  });

  return app;
}
