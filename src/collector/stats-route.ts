// GET /v1/stats: per-app verdict counts over whole published days, only from day cells of at least five reports; cached per published day.
import * as v from 'valibot';
import { schemaError, UNTRUSTED } from '../core/schema-error';
import { SharedIdSchema } from '../core/shared-report';
import { DAY_MS, DEFAULT_STATS_DAYS, MAX_STATS_DAYS, MIN_REPORTS_PER_CELL, dayString, maxAgeSeconds, publishedUntilMs } from './published-days';
import { invalidQuery, singleParams } from './route-context';
import type { CollectorApp, RouteContext } from './route-context';
import type { AppCounts } from './store';

const STATS_CACHE_ENTRIES = 10_000;

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

export function registerStatsRoute(app: CollectorApp, context: RouteContext): void {
  const { store, geo, now, statsGeneration } = context;
  /** Answers are fixed for a given last day (its cells no longer change), so they are kept until it moves on. */
  const statsCache = new Map<string, StatsResponse>();
  let statsCacheDay = '';

  app.get('/v1/stats', context.limited, async (c) => {
    const params = singleParams(c);
    if (params === null) return invalidQuery(c, 'each query parameter may appear once');
    const query = v.safeParse(StatsQuerySchema, params);
    if (!query.success) return invalidQuery(c, schemaError('query', query.issues, UNTRUSTED));
    const { app: appId, days = DEFAULT_STATS_DAYS, network } = query.output;
    let { cc, asn } = query.output;
    if (network === 'mine') {
      if (cc !== undefined || asn !== undefined) return invalidQuery(c, 'invalid query: network=mine cannot be combined with cc or asn');
      // The address is used for this lookup only; the answer names the network, which the caller shares anyway.
      const location = await geo.lookup(context.clientAddress(c) ?? '');
      if (!location) {
        c.set('outcome', 'unlocated');
        return c.json({ error: 'the network of this connection is not known to the collector' }, 404);
      }
      ({ cc, asn } = location);
    }
    const t = now().getTime();
    // The window ends with the last UTC day that is over (and settled); its length is whole days.
    const untilMs = publishedUntilMs(t);
    const untilDay = dayString(untilMs);
    const cacheDay = `${untilDay}/${statsGeneration()}`;
    if (cacheDay !== statsCacheDay) {
      statsCache.clear();
      statsCacheDay = cacheDay;
    }
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
        return context.storeUnavailable(c, error);
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
    c.header('Cache-Control', `public, max-age=${maxAgeSeconds(untilMs, t)}`);
    return c.json(response);
  });
}
