// POST /v1/reports: a shared report in, checked, judged again by our engine if older, and stored with the sender's country and network only.
import { Readable } from 'node:stream';
import type { Catalog } from '../core/catalog';
import { rejudge } from '../core/rejudge';
import type { Judge } from '../core/rejudge';
import { hourFloor } from '../core/shared-report';
import type { SharedReport } from '../core/shared-report';
import { isReflectionId } from '../core/reflection';
import { ENGINE_VERSION, judge } from '../core/verdict';
import { DAY_MS, MAX_STATS_DAYS } from './published-days';
import { parseReceivedReport } from './report-parser';
import type { CollectorApp, CollectorContext, RouteContext } from './route-context';
import { UNKNOWN_ASN, UNKNOWN_CC } from './store';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** Older reports are refused: they fall outside every stats window, and a queue that old is more likely replayed than delayed. */
export const MAX_REPORT_AGE_DAYS = MAX_STATS_DAYS;
/** The report's hour is rounded down, so a correct clock is never ahead; an hour of slack covers clock drift. */
const MAX_CLOCK_AHEAD_MS = 3_600_000;

export interface ReportsRouteOptions {
  maxBodyBytes: number;
  /** The verdict engine reports are judged again with (tests inject a changed rule); the current one by default. */
  engine?: { version: number; judge: Judge } | undefined;
}

/** The pattern allows e.g. February 30th; only a real hour survives the round trip through Date. */
function isRealHour(hour: string): boolean {
  const ms = Date.parse(hour);
  return Number.isFinite(ms) && hourFloor(ms) === hour;
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
 * Keeps only entries whose id the served catalog defines, and reflection probes (whose ids name only a port):
 * whatever else an id might spell (a user's own server, something no scan foresaw) is not stored. A report from a
 * catalog the collector does not serve loses those entries and keeps the rest.
 */
function onlyCatalogIds(report: SharedReport, known: ReadonlySet<string>): SharedReport {
  return {
    ...report,
    apps: report.apps.filter((app) => known.has(app.appId)),
    // Reflection probes (ids `reflector.control` and `reflector.<port>`: no address fits) are kept for judging again.
    probes: report.probes.filter((probe) => known.has(probe.targetId) || isReflectionId(probe.targetId)),
  };
}

/**
 * The body as text, or null past maxBytes. On the Node server it is read straight from the request
 * stream: building a web Request and its ReadableStream for it cost about a tenth of a report's CPU.
 */
async function readBody(c: CollectorContext, maxBytes: number): Promise<string | null> {
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

export function registerReportsRoute(app: CollectorApp, context: RouteContext, options: ReportsRouteOptions): void {
  const { store, geo, now, catalog } = context;
  const { maxBodyBytes } = options;
  const knownIds = catalog === undefined ? undefined : catalogIds(catalog);
  const engine = options.engine ?? { version: ENGINE_VERSION, judge };
  /** A report judged by an older engine than ours is judged again before it is stored, so every stored verdict is ours. */
  const judgedHere = (report: SharedReport): SharedReport => (catalog === undefined ? report : (rejudge(catalog, report, engine) ?? report));

  app.post(
    '/v1/reports',
    context.limited,
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
      const parsed = parseReceivedReport(body);
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
      const location = await geo.lookup(context.clientAddress(c) ?? '');
      let result: 'created' | 'duplicate';
      try {
        result = await store.insert({
          report,
          cc: location?.cc ?? UNKNOWN_CC,
          asn: location?.asn ?? UNKNOWN_ASN,
          receivedHour: hourFloor(t),
        });
      } catch (error) {
        return context.storeUnavailable(c, error);
      }
      c.set('outcome', result === 'created' ? 'accepted' : 'duplicate');
      return c.json({ id: report.id }, 202);
    },
  );
}
