// The collector's HTTP API as a Hono app: reports in, suppressed aggregates and the signed catalog out.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { Readable } from 'node:stream';
import { secureHeaders } from 'hono/secure-headers';
import * as v from 'valibot';
import type { Catalog } from '../core/catalog';
import { rejudge } from '../core/rejudge';
import { schemaError, UNTRUSTED } from '../core/schema-error';
import type { Judge } from '../core/rejudge';
import { hourFloor, parseSharedReport, SharedIdSchema } from '../core/shared-report';
import { ENGINE_VERSION, judge } from '../core/verdict';
import type { SharedReport } from '../core/shared-report';
import type { SignedCatalog } from '../core/verify-catalog';
import { signCatalog } from './catalog-signer';
import type { CatalogSigner } from './catalog-signer';
import type { RelayConfig } from './config';
import { mintTurnCredentials } from './turn-credentials';
import type { Geo } from './geo';
import { aggregatesCsv, aggregatesJsonl, namingRule, OPEN_DATA_LICENCE, OPEN_DATA_LICENCE_URL } from './open-data';
import { DATA_PAGE_STYLE, dataSchemaPage } from './data-page';
import { pageCsp } from './page-csp';
import { compress } from 'hono/compress';
import { isCountryCode, worldShapes } from './results-map';
import { PAGE_STYLE, pageLanguage, renderCountryPage, renderWorldPage } from './results-page';
import { countryShares, countryView } from './results-view';
import type { Logger } from './logger';
import type { RateLimiter } from './rate-limit';
import { StoreUnavailableError, UNKNOWN_ASN, UNKNOWN_CC } from './store';
import type { AppCounts, Store } from './store';
import { errorText } from '../core/error-text';

/**
 * A day cell (one app, one network, one UTC day of receipt) counts towards any published figure
 * only with at least this many reports, and only once its day is over. Every answer, whatever its
 * filter or window, is then a sum of whole such cells: two answers differ by whole cells, never by
 * a group of fewer than 5 reports.
 */
export const MIN_REPORTS_PER_CELL = 5;
/**
 * A day's cells are read only this long after it ended: a report received at 23:59 may still be
 * committing (request and statement timeouts are far below this), and after it nothing changes.
 */
export const DAY_SETTLE_MS = 15 * 60_000;
/** Stats answers are cached this long at most (and never past the next day's publication). */
export const STATS_MAX_AGE_S = 3_600;
const STATS_CACHE_ENTRIES = 10_000;
export const DEFAULT_STATS_DAYS = 7;
export const MAX_STATS_DAYS = 90;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Older reports are refused: they fall outside every stats window, and a queue that old is more likely replayed than delayed. */
export const MAX_REPORT_AGE_DAYS = MAX_STATS_DAYS;
/** The report's hour is rounded down, so a correct clock is never ahead; an hour of slack covers clock drift. */
const MAX_CLOCK_AHEAD_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Only the fields the API reads from @hono/node-server's bindings, so tests can pass a fake socket address. */
export interface CollectorBindings {
  incoming?: { socket?: { remoteAddress?: string } } | Readable;
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
  | 'relay_unavailable'
  | 'credentials'
  | 'store_unavailable'
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
  /** The call-test relay; without it GET /v1/turn-credentials answers 503. */
  relay?: RelayConfig | null;
  /** Take the client address from the last X-Forwarded-For entry (set by our own reverse proxy) instead of the socket. */
  trustProxy?: boolean;
  maxBodyBytes?: number;
  now?: () => Date;
  /** The verdict engine reports are judged again with (tests inject a changed rule); the current one by default. */
  engine?: { version: number; judge: Judge };
  /** Bumped when stored verdicts were judged again: answers cached before are dropped. */
  statsGeneration?: () => number;
}

const EXTENSION_ORIGIN = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36})$/;
/** Paths logged as themselves; anything else is logged as "other" so a request path cannot write into the log. */
const LOGGED_PATHS = new Set(['/', '/v1/reports', '/v1/stats', '/v1/catalog', '/v1/turn-credentials', '/v1/aggregates', '/data', '/healthz', '/readyz']);
/** A country page: the path names a country, never anything of the visitor's. */
const COUNTRY_PAGE = /^\/country\/([A-Za-z]{2})$/;
/** The results page: the map and the networks table sum this many days, the country timelines this many. */
export const PAGE_DAYS = 7;
export const TIMELINE_DAYS = 30;
/** Rendered pages kept per published day: every country × language, and the map for each visitor's country × language. */
const PAGE_CACHE_ENTRIES = 2_000;
/** A day file of the open data: the path names a day, never anything of the client's. */
const REPORTS_FILE = /^\/v1\/reports\/(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Longest span one aggregates request may cover. */
export const MAX_AGGREGATE_DAYS = 366;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function isRealDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return DAY_PATTERN.test(day) && Number.isFinite(ms) && dayString(ms) === day;
}

const AggregatesQuerySchema = v.strictObject({
  from: v.optional(v.pipe(v.string(), v.check(isRealDay, 'from is a day, YYYY-MM-DD'))),
  to: v.optional(v.pipe(v.string(), v.check(isRealDay, 'to is a day, YYYY-MM-DD'))),
  cc: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, 'cc is a two-letter country code'), v.toUpperCase())),
  format: v.optional(v.picklist(['csv', 'jsonl'], 'format is csv or jsonl')),
});

/** The pattern allows e.g. February 30th; only a real hour survives the round trip through Date. */
function isRealHour(hour: string): boolean {
  const ms = Date.parse(hour);
  return Number.isFinite(ms) && hourFloor(ms) === hour;
}

function dayFloorMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every id a catalog can put in a report: apps, their signalling and media targets, and the controls. */
function catalogIds(catalog: Catalog): ReadonlySet<string> {
  return new Set([
    ...catalog.controls.http.map((t) => t.id),
    ...catalog.controls.stun.map((t) => t.id),
    ...catalog.apps.flatMap((app) => [app.id, ...app.signalling.map((t) => t.id), ...app.media.map((t) => t.id)]),
  ]);
}

/**
 * Keeps only entries whose id the served catalog defines: whatever else an id might spell (a
 * user's own server, something no scan foresaw) is not stored. A report from a catalog the
 * collector does not serve loses those entries and keeps the rest.
 */
function onlyCatalogIds(report: SharedReport, known: ReadonlySet<string>): SharedReport {
  return {
    ...report,
    apps: report.apps.filter((app) => known.has(app.appId)),
    probes: report.probes.filter((probe) => known.has(probe.targetId)),
  };
}

function clientAddress(c: Context<CollectorEnv>, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    // Our proxy appends the address it saw; anything to the left of it was written by the client.
    const last = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  const incoming = c.env?.incoming;
  return incoming !== undefined && 'socket' in incoming ? incoming.socket?.remoteAddress : undefined;
}

/**
 * The body as text, or null past maxBytes. On the Node server it is read straight from the request
 * stream: building a web Request and its ReadableStream for it cost about a tenth of a report's CPU.
 */
async function readBody(c: Context<CollectorEnv>, maxBytes: number): Promise<string | null> {
  const declared = Number(c.req.header('content-length') ?? Number.NaN);
  if (declared > maxBytes) return null;
  const incoming = c.env?.incoming;
  if (!(incoming instanceof Readable)) {
    const text = await c.req.text();
    return Buffer.byteLength(text) > maxBytes ? null : text;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Stop reading at the limit; Node discards the rest of the request when the answer is sent.
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/**
 * CORS for the extension's origins. Unlike hono/cors it touches the response only after the
 * handler: reading `c.res` before it makes Hono build and then copy a full web Response, about a
 * tenth of a report's CPU.
 */
async function extensionCors(c: Context<CollectorEnv>, next: () => Promise<void>): Promise<Response | undefined> {
  const origin = c.req.header('origin') ?? '';
  const allowed = EXTENSION_ORIGIN.test(origin);
  if (c.req.method === 'OPTIONS') {
    const headers: Record<string, string> = {
      'Access-Control-Expose-Headers': 'Retry-After',
      'Access-Control-Max-Age': '86400',
      'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
      Vary: 'Origin, Access-Control-Request-Headers',
    };
    if (allowed) headers['Access-Control-Allow-Origin'] = origin;
    return c.body(null, 204, headers);
  }
  await next();
  const headers = c.res.headers;
  if (allowed) headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Expose-Headers', 'Retry-After');
  headers.append('Vary', 'Origin');
  return undefined;
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
  /** First UTC day counted (by day of receipt), "YYYY-MM-DDT00:00:00Z". */
  since: string;
  /** First UTC day not counted: the window is whole days, and ends with the last day that is over. */
  until: string;
  minReportsPerCell: number;
  apps: AppCounts[];
  /** How many apps had reports in the window, none of them in a day cell of minReportsPerCell. */
  suppressed: number;
}

export function createApp(options: AppOptions): Hono<CollectorEnv> {
  const { store, geo, rateLimit, logger, trustProxy = false, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options;
  const now = options.now ?? (() => new Date());
  // Signed once: the payload string is fixed for the life of the process, so every response carries identical bytes.
  const signedCatalog: SignedCatalog | undefined =
    options.catalog !== undefined && options.signer !== undefined ? signCatalog(options.catalog, options.signer) : undefined;
  const knownIds = options.catalog === undefined ? undefined : catalogIds(options.catalog);
  const engine = options.engine ?? { version: ENGINE_VERSION, judge };
  const statsGeneration = options.statsGeneration ?? (() => 0);
  const served = options.catalog;
  /** A report judged by an older engine than ours is judged again before it is stored, so every stored verdict is ours. */
  const judgedHere = (report: SharedReport): SharedReport => (served === undefined ? report : (rejudge(served, report, engine) ?? report));
  /** Answers are fixed for a given last day (its cells no longer change), so they are kept until it moves on. */
  const statsCache = new Map<string, StatsResponse>();
  let statsCacheDay = '';

  const app = new Hono<CollectorEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const outcome = c.get('outcome');
    logger.info('request', {
      method: c.req.method,
      path: LOGGED_PATHS.has(c.req.path)
        ? c.req.path
        : REPORTS_FILE.test(c.req.path)
          ? '/v1/reports/:day.jsonl'
          : COUNTRY_PAGE.test(c.req.path)
            ? '/country/:cc'
            : 'other',
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
      // The HTML pages set their own CSP (their stylesheet's hash); without this it would be replaced after the handler.
      overwrite: false,
    }),
  );
  app.use('/v1/*', extensionCors);

  /** The database is down, full or behind: a 503 the client retries with the same id, which makes the retry safe. */
  const storeUnavailable = (c: Context<CollectorEnv>, error: unknown) => {
    c.set('outcome', 'store_unavailable');
    if (!(error instanceof StoreUnavailableError)) {
      // The message is the database driver's; the client address is never passed to the store.
      logger.error('storage failed', { name: error instanceof Error ? error.name : 'unknown', message: errorText(error).slice(0, 300) });
    }
    c.header('Retry-After', '5');
    return c.json({ error: 'storage is unavailable, retry later' }, 503);
  };

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
    async (c) => {
      const text = await readBody(c, maxBodyBytes);
      if (text === null) {
        c.set('outcome', 'too_large');
        return c.json({ error: `body is larger than ${maxBodyBytes} bytes` }, 413);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        c.set('outcome', 'invalid_json');
        return c.json({ error: 'body is not valid JSON' }, 400);
      }
      const parsed = parseSharedReport(body);
      if (!parsed.ok) {
        c.set('outcome', 'invalid_report');
        return c.json({ error: parsed.error, path: parsed.path }, 400);
      }
      const report = judgedHere(knownIds === undefined ? parsed.report : onlyCatalogIds(parsed.report, knownIds));
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
      let result: 'created' | 'duplicate';
      try {
        result = await store.insert({
          report,
          cc: location?.cc ?? UNKNOWN_CC,
          asn: location?.asn ?? UNKNOWN_ASN,
          receivedHour: hourFloor(t),
        });
      } catch (error) {
        return storeUnavailable(c, error);
      }
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
      c.set('outcome', 'invalid_query');
      return c.json({ error: schemaError('query', query.issues, UNTRUSTED) }, 400);
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
    const t = now().getTime();
    // The window ends with the last UTC day that is over (and settled); its length is whole days.
    const untilMs = dayFloorMs(t - DAY_SETTLE_MS);
    const untilDay = dayString(untilMs);
    const cacheDay = `${untilDay}/${statsGeneration()}`;
    if (cacheDay !== statsCacheDay) {
      statsCache.clear();
      statsCacheDay = cacheDay;
    }
    const maxAge = Math.max(1, Math.min(STATS_MAX_AGE_S, Math.ceil((untilMs + DAY_MS + DAY_SETTLE_MS - t) / 1000)));
    const key = JSON.stringify([cc ?? null, asn ?? null, appId ?? null, days]);
    let response = statsCache.get(key);
    if (response === undefined) {
      const fromMs = untilMs - days * DAY_MS;
      let sums;
      try {
        sums = await store.cellSums({
          fromDay: dayString(fromMs),
          untilDay,
          minPerCell: MIN_REPORTS_PER_CELL,
          ...(cc === undefined ? {} : { cc }),
          ...(asn === undefined ? {} : { asn }),
          ...(appId === undefined ? {} : { appId }),
        });
      } catch (error) {
        return storeUnavailable(c, error);
      }
      const shown = sums.filter((row) => row.total > 0);
      response = {
        cc: cc ?? null,
        asn: asn ?? null,
        app: appId ?? null,
        days,
        since: new Date(fromMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        until: new Date(untilMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        minReportsPerCell: MIN_REPORTS_PER_CELL,
        apps: shown.map(({ appId: id, total, works, degraded, blocked, unknown }) => ({ appId: id, total, works, degraded, blocked, unknown })),
        suppressed: sums.length - shown.length,
      };
      if (statsCache.size >= STATS_CACHE_ENTRIES) {
        const oldest = statsCache.keys().next();
        if (oldest.done !== true) statsCache.delete(oldest.value);
      }
      statsCache.set(key, response);
    }
    c.header('Cache-Control', `public, max-age=${maxAge}`);
    return c.json(response);
  });

  /** The last day that is over and settled: nothing received on it or before changes any more (but for re-judging). */
  const lastPublishedDay = () => dayString(dayFloorMs(now().getTime() - DAY_SETTLE_MS) - DAY_MS);
  const invalidQuery = (c: Context<CollectorEnv>, message: string) => {
    c.set('outcome', 'invalid_query');
    return c.json({ error: message.slice(0, 300) }, 400);
  };

  app.get('/v1/aggregates', limited, async (c) => {
    const params = new URL(c.req.url).searchParams;
    const keys = [...params.keys()];
    if (new Set(keys).size !== keys.length) return invalidQuery(c, 'each query parameter may appear once');
    const query = v.safeParse(AggregatesQuerySchema, Object.fromEntries(params));
    if (!query.success) return invalidQuery(c, schemaError('query', query.issues, UNTRUSTED));
    const last = lastPublishedDay();
    const to = query.output.to === undefined || query.output.to > last ? last : query.output.to;
    const from = query.output.from ?? dayString(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_STATS_DAYS - 1) * DAY_MS);
    if (from > to) return invalidQuery(c, 'invalid query: from is after to (or after the last day published)');
    if ((Date.parse(to) - Date.parse(from)) / DAY_MS + 1 > MAX_AGGREGATE_DAYS) {
      return invalidQuery(c, `invalid query: at most ${MAX_AGGREGATE_DAYS} days per request`);
    }
    let cells;
    try {
      cells = await store.dayCells({
        fromDay: from,
        untilDay: dayString(Date.parse(`${to}T00:00:00Z`) + DAY_MS),
        minPerCell: MIN_REPORTS_PER_CELL,
        ...(query.output.cc === undefined ? {} : { cc: query.output.cc }),
      });
    } catch (error) {
      return storeUnavailable(c, error);
    }
    const format = query.output.format ?? 'jsonl';
    c.header('Cache-Control', `public, max-age=${STATS_MAX_AGE_S}`);
    c.header('Link', `<${OPEN_DATA_LICENCE_URL}>; rel="license"`);
    c.header('Access-Control-Allow-Origin', '*');
    if (format === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8; header=present');
      c.header('Content-Disposition', `inline; filename="canicall-aggregates-${from}-${to}.csv"`);
      return c.body(aggregatesCsv(cells, MIN_REPORTS_PER_CELL));
    }
    c.header('Content-Type', 'application/jsonl; charset=utf-8');
    return c.body(aggregatesJsonl(cells, MIN_REPORTS_PER_CELL));
  });

  app.get('/v1/reports/:file', limited, async (c) => {
    const day = REPORTS_FILE.exec(c.req.path)?.[1];
    if (day === undefined || !isRealDay(day)) return c.json({ error: 'not found' }, 404);
    if (day > lastPublishedDay()) return c.json({ error: 'this day is not over yet; its file is published 15 minutes after midnight UTC' }, 404);
    const hours = Array.from({ length: 24 }, (_, h) => `${day}T${String(h).padStart(2, '0')}:00:00Z`);
    let lines: string[];
    try {
      const name = namingRule(await store.networkReportCounts(day), MIN_REPORTS_PER_CELL);
      lines = [];
      for (const hour of hours) {
        for (const stored of await store.reportsReceivedIn(hour)) lines.push(`${JSON.stringify(name(day, stored))}\n`);
      }
    } catch (error) {
      return storeUnavailable(c, error);
    }
    c.header('Cache-Control', `public, max-age=${STATS_MAX_AGE_S}`);
    c.header('Link', `<${OPEN_DATA_LICENCE_URL}>; rel="license"`);
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Content-Type', 'application/jsonl; charset=utf-8');
    return c.body(lines.join(''));
  });

  const dataPageCsp = pageCsp(DATA_PAGE_STYLE);
  app.get('/data', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('Content-Security-Policy', dataPageCsp);
    return c.html(dataSchemaPage({ minPerCell: MIN_REPORTS_PER_CELL, licence: OPEN_DATA_LICENCE, licenceUrl: OPEN_DATA_LICENCE_URL, maxDays: MAX_AGGREGATE_DAYS }));
  });

  // The results page: server-rendered HTML without script, cached per published day, language and country.
  worldShapes();
  const resultsPageCsp = pageCsp(PAGE_STYLE);
  const pageCache = new Map<string, { html: string; etag: string }>();
  let pageCacheDay = '';
  const appNames = new Map((served?.apps ?? []).map((a) => [a.id, a.name]));
  /** `personal`: the page names the visitor's country, so no shared cache may keep it. */
  const servePage = async (c: Context<CollectorEnv>, key: string, personal: boolean, render: (untilMs: number) => Promise<string>) => {
    const t = now().getTime();
    const untilMs = dayFloorMs(t - DAY_SETTLE_MS);
    const cacheDay = `${dayString(untilMs)}/${statsGeneration()}`;
    if (cacheDay !== pageCacheDay) {
      pageCache.clear();
      pageCacheDay = cacheDay;
    }
    let page = pageCache.get(key);
    if (page === undefined) {
      let html: string;
      try {
        html = await render(untilMs);
      } catch (error) {
        return storeUnavailable(c, error);
      }
      page = { html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
      if (pageCache.size >= PAGE_CACHE_ENTRIES) pageCache.clear();
      pageCache.set(key, page);
    }
    const maxAge = Math.max(1, Math.min(STATS_MAX_AGE_S, Math.ceil((untilMs + DAY_MS + DAY_SETTLE_MS - t) / 1000)));
    c.header('Cache-Control', `${personal ? 'private' : 'public'}, max-age=${maxAge}`);
    c.header('ETag', page.etag);
    c.header('Vary', 'Accept-Language');
    c.header('Content-Security-Policy', resultsPageCsp);
    // Compression weakens the tag (W/"…"); either form names this page.
    if (c.req.header('if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag) === true) return c.body(null, 304);
    return c.html(page.html);
  };
  const pageOptions = (c: Context<CollectorEnv>, path: string) => ({
    language: pageLanguage(c.req.query('lang'), c.req.header('accept-language')),
    path,
    minPerCell: MIN_REPORTS_PER_CELL,
    licence: OPEN_DATA_LICENCE,
    licenceUrl: OPEN_DATA_LICENCE_URL,
  });
  app.use('/', compress());
  app.use('/country/*', compress());
  app.get('/', async (c) => {
    const options = pageOptions(c, '/');
    // As for a report: the address is used for this lookup only and goes out of scope with this handler. Only the
    // country is kept, to point the visitor at its page; it keys the cache among at most a few hundred others.
    const cc = (await geo.lookup(clientAddress(c, trustProxy) ?? ''))?.cc;
    const here = cc !== undefined && isCountryCode(cc) ? cc : undefined;
    return servePage(c, `/|${options.language}|${here ?? ''}`, true, async (untilMs) => {
      const fromDay = dayString(untilMs - PAGE_DAYS * DAY_MS);
      const sums = await store.countrySums({ fromDay, untilDay: dayString(untilMs), minPerCell: MIN_REPORTS_PER_CELL });
      return renderWorldPage(options, { fromDay, lastDay: dayString(untilMs - DAY_MS), shares: countryShares(sums), ...(here === undefined ? {} : { here }) });
    });
  });
  app.get('/country/:cc', (c) => {
    const cc = COUNTRY_PAGE.exec(c.req.path)?.[1]?.toUpperCase();
    if (cc === undefined || !isCountryCode(cc)) return c.json({ error: 'not found' }, 404);
    const path = `/country/${cc}`;
    const options = pageOptions(c, path);
    return servePage(c, `${path}|${options.language}`, false, async (untilMs) => {
      // The page names each network and is kept for the day: rendered before the names have loaded (the first
      // seconds after a start) it would lack them, and differ from another instance's page for the whole day.
      await geo.settled?.();
      const days = Array.from({ length: TIMELINE_DAYS }, (_, i) => dayString(untilMs - (TIMELINE_DAYS - i) * DAY_MS));
      const timelineFromDay = days[0] ?? dayString(untilMs - DAY_MS);
      const tableFromDay = dayString(untilMs - PAGE_DAYS * DAY_MS);
      // Small cells too: the view needs to know a network had reports to show its cell as suppressed (never their verdicts).
      const cells = await store.dayCells({ fromDay: timelineFromDay, untilDay: dayString(untilMs), cc, minPerCell: 1 });
      const view = countryView(cells, { minPerCell: MIN_REPORTS_PER_CELL, tableFromDay, days });
      return renderCountryPage(options, {
        cc,
        tableFromDay,
        timelineFromDay,
        lastDay: dayString(untilMs - DAY_MS),
        view,
        appName: (appId) => appNames.get(appId) ?? appId,
        asnName: (asn) => geo.asnName?.(asn),
      });
    });
  });

  app.get('/v1/catalog', (c) => {
    if (signedCatalog === undefined) {
      c.set('outcome', 'catalog_unavailable');
      return c.json({ error: 'no signed catalog is configured on this collector' }, 503);
    }
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(signedCatalog);
  });

  // Credentials are minted per request and never stored; the address only feeds the rate limiter's salted bucket.
  app.get('/v1/turn-credentials', limited, (c) => {
    c.header('Cache-Control', 'no-store');
    const relay = options.relay ?? null;
    if (relay === null) {
      c.set('outcome', 'relay_unavailable');
      return c.json({ error: 'no call-test relay is configured on this collector' }, 503);
    }
    c.set('outcome', 'credentials');
    return c.json(mintTurnCredentials(relay, now().getTime()));
  });

  /** Liveness: the process is serving. */
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  /** Readiness: a report sent now would be stored (the database answers, is writable, has room). */
  app.get('/readyz', async (c) => {
    const database = await store.readiness();
    const geoState = geo.state?.() ?? 'ready';
    const body = { status: database.ok ? 'ready' : 'unavailable', database: database.ok ? 'ok' : database.reason, geo: geoState };
    return c.json(body, database.ok ? 200 : 503);
  });

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    // The message is the server's own (storage, geo); the client address is never passed to either.
    logger.error('unhandled error', { name: error.name, message: error.message.slice(0, 500) });
    return c.json({ error: 'internal error' }, 500);
  });

  return app;
}
