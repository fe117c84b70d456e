// The collector's HTTP API as a Hono app: the middleware (request log, security headers, CORS) and the route modules, wired together.
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Catalog } from '../core/catalog';
import type { Judge } from '../core/rejudge';
import type { CatalogSigner } from './catalog-signer';
import { registerCatalogRoute } from './catalog-route';
import type { RelayConfig } from './config';
import type { Geo } from './geo';
import { registerHealthRoutes } from './health-routes';
import type { Logger } from './logger';
import { registerOpenDataRoutes, REPORTS_FILE } from './open-data-routes';
import type { RateLimiter } from './rate-limit';
import { EXTENSION_ORIGIN, reportsFastPath } from './reports-fast-path';
import type { FastPath } from './reports-fast-path';
import { createReportIntake, DEFAULT_MAX_BODY_BYTES, registerReportsRoute } from './reports-route';
import { COUNTRY_PAGE, registerResultsRoutes } from './results-routes';
import { createRouteContext } from './route-context';
import type { CollectorApp, CollectorContext, CollectorEnv } from './route-context';
import { registerStatsRoute } from './stats-route';
import type { Store } from './store';
import { registerTurnCredentialsRoute } from './turn-credentials-route';

export type { CollectorBindings } from './route-context';
export type { StatsResponse } from './stats-route';

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

/** Paths logged as themselves; anything else is logged as "other" so a request path cannot write into the log. */
const LOGGED_PATHS = new Set(['/', '/v1/reports', '/v1/stats', '/v1/catalog', '/v1/turn-credentials', '/v1/aggregates', '/data', '/healthz', '/readyz']);

function loggedPath(path: string): string {
  if (LOGGED_PATHS.has(path)) return path;
  if (REPORTS_FILE.test(path)) return '/v1/reports/:day.jsonl';
  if (COUNTRY_PAGE.test(path)) return '/country/:cc';
  return 'other';
}

/**
 * CORS for the extension's origins. Unlike hono/cors it touches the response only after the
 * handler: reading `c.res` before it makes Hono build and then copy a full web Response, about a
 * tenth of a report's CPU.
 */
async function extensionCors(c: CollectorContext, next: () => Promise<void>): Promise<Response | undefined> {
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

const fastPaths = new WeakMap<object, FastPath>();

/** The app's POST /v1/reports for Node's request listener (http-server.ts), answering as the app would; undefined for another app. */
export function fastPathOf(app: object): FastPath | undefined {
  return fastPaths.get(app);
}

export function createApp(options: AppOptions): CollectorApp {
  const { logger } = options;
  const context = createRouteContext({
    store: options.store,
    geo: options.geo,
    logger,
    rateLimit: options.rateLimit,
    trustProxy: options.trustProxy ?? false,
    now: options.now ?? (() => new Date()),
    statsGeneration: options.statsGeneration ?? (() => 0),
    catalog: options.catalog,
  });

  const app = new Hono<CollectorEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const outcome = c.get('outcome');
    logger.info('request', {
      method: c.req.method,
      path: loggedPath(c.req.path),
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

  const intake = createReportIntake(context, { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, engine: options.engine });
  registerReportsRoute(app, context, intake);
  fastPaths.set(app, reportsFastPath(context, logger, intake));
  registerStatsRoute(app, context);
  registerOpenDataRoutes(app, context);
  registerResultsRoutes(app, context);
  registerCatalogRoute(app, options.catalog, options.signer);
  registerTurnCredentialsRoute(app, context, options.relay ?? null);
  registerHealthRoutes(app, context);

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => {
    // The message is the server's own (storage, geo); the client address is never passed to either.
    logger.error('unhandled error', { name: error.name, message: error.message.slice(0, 500) });
    return c.json({ error: 'internal error' }, 500);
  });

  return app;
}
