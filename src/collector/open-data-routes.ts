// Open data: GET /v1/aggregates (daily cells, CSV or JSON Lines), GET /v1/reports/<day>.jsonl (a day's anonymised reports) and /data, the page that describes them.
import * as v from 'valibot';
import { schemaError, UNTRUSTED } from '../core/schema-error';
import { DATA_PAGE_STYLE, dataSchemaPage } from './data-page';
import { aggregatesCsv, aggregatesJsonl, namingRule, OPEN_DATA_LICENCE, OPEN_DATA_LICENCE_URL } from './open-data';
import { pageCsp } from './page-csp';
import { DAY_MS, DEFAULT_STATS_DAYS, MIN_REPORTS_PER_CELL, STATS_MAX_AGE_S, dayString, isRealDay, lastPublishedDay } from './published-days';
import { invalidQuery, singleParams } from './route-context';
import type { CollectorApp, RouteContext } from './route-context';

/** A day file of the open data: the path names a day, never anything of the client's. */
export const REPORTS_FILE = /^\/v1\/reports\/(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Longest span one aggregates request may cover. */
export const MAX_AGGREGATE_DAYS = 366;

const AggregatesQuerySchema = v.strictObject({
  from: v.optional(v.pipe(v.string(), v.check(isRealDay, 'from is a day, YYYY-MM-DD'))),
  to: v.optional(v.pipe(v.string(), v.check(isRealDay, 'to is a day, YYYY-MM-DD'))),
  cc: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, 'cc is a two-letter country code'), v.toUpperCase())),
  format: v.optional(v.picklist(['csv', 'jsonl'], 'format is csv or jsonl')),
});

export function registerOpenDataRoutes(app: CollectorApp, context: RouteContext): void {
  const { store, now } = context;

  app.get('/v1/aggregates', context.limited, async (c) => {
    const params = singleParams(c);
    if (params === null) return invalidQuery(c, 'each query parameter may appear once');
    const query = v.safeParse(AggregatesQuerySchema, params);
    if (!query.success) return invalidQuery(c, schemaError('query', query.issues, UNTRUSTED).slice(0, 300));
    const last = lastPublishedDay(now().getTime());
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
      return context.storeUnavailable(c, error);
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

  app.get('/v1/reports/:file', context.limited, async (c) => {
    const day = REPORTS_FILE.exec(c.req.path)?.[1];
    if (day === undefined || !isRealDay(day)) return c.json({ error: 'not found' }, 404);
    if (day > lastPublishedDay(now().getTime())) return c.json({ error: 'this day is not over yet; its file is published 15 minutes after midnight UTC' }, 404);
    const hours = Array.from({ length: 24 }, (_, h) => `${day}T${String(h).padStart(2, '0')}:00:00Z`);
    let lines: string[];
    try {
      const name = namingRule(await store.networkReportCounts(day), MIN_REPORTS_PER_CELL);
      lines = [];
      for (const hour of hours) {
        for (const stored of await store.reportsReceivedIn(hour)) lines.push(`${JSON.stringify(name(day, stored))}\n`);
      }
    } catch (error) {
      return context.storeUnavailable(c, error);
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
}
