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
import { RATE_LIMITED_BODY, STORE_RETRY_AFTER, STORE_UNAVAILABLE_BODY } from './route-context';
import type { CollectorApp, CollectorContext, Outcome, RouteContext } from './route-context';
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
    probes: report.probes.filter((probe) => known.has(probe.targetId) || (probe.kind === 'ice' && isReflectionId(probe.targetId))),
  };
}

/** Reads a request body as text, or null past maxBytes: Node's request stream itself, or a web Request's text. */
export type BodyReader = (maxBytes: number) => Promise<string | null>;

/**
 * Node's request stream as a BodyReader: building a web Request and its ReadableStream for the body cost about a tenth
 * of a report's CPU.
 */
export function streamBody(incoming: Readable): BodyReader {
  return async (maxBytes) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Stop reading at the limit; Node discards the rest of the request when the answer is sent.
      if (size > maxBytes) return null;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  };
}

function contextBody(c: CollectorContext): BodyReader {
  const incoming = c.env?.incoming;
  if (incoming instanceof Readable) return streamBody(incoming);
  return async (maxBytes) => {
    const text = await c.req.text();
    return Buffer.byteLength(text) > maxBytes ? null : text;
  };
}

/** A POST /v1/reports as the intake needs it, from Hono's context or from Node's request (server.ts's fast path). */
export interface ReportRequest {
  contentType: string | undefined;
  contentLength: string | undefined;
  /** The client's address, for the rate limit and the geo lookup only. */
  address: string | undefined;
  body: BodyReader;
}

/** The answer, before the headers every route shares (security, CORS) are added. */
export interface ReportAnswer {
  status: 202 | 400 | 413 | 415 | 429 | 503;
  outcome: Outcome;
  /** As JSON.stringify writes it (a field that is undefined is left out). */
  body: Record<string, string | undefined>;
  retryAfter?: string;
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** The whole of POST /v1/reports after the shared middleware, framework-free so Node's listener can run it without Hono. */
export function createReportIntake(context: RouteContext, options: ReportsRouteOptions): (request: ReportRequest) => Promise<ReportAnswer> {
  const { store, geo, now, catalog } = context;
  const { maxBodyBytes } = options;
  const knownIds = catalog === undefined ? undefined : catalogIds(catalog);
  const engine = options.engine ?? { version: ENGINE_VERSION, judge };
  /** A report judged by an older engine than ours is judged again before it is stored, so every stored verdict is ours. */
  const judgedHere = (report: SharedReport): SharedReport => (catalog === undefined ? report : (rejudge(catalog, report, engine) ?? report));

  return async (request): Promise<ReportAnswer> => {
    const seconds = context.retryAfter(request.address);
    if (seconds !== null) return { status: 429, outcome: 'rate_limited', body: RATE_LIMITED_BODY, retryAfter: String(seconds) };
    if (!isJsonContentType(request.contentType)) {
      return { status: 415, outcome: 'unsupported_media_type', body: { error: 'Content-Type must be application/json (UTF-8)' } };
    }
    const declared = Number(request.contentLength ?? Number.NaN);
    const text = declared > maxBodyBytes ? null : await request.body(maxBodyBytes);
    if (text === null) return { status: 413, outcome: 'too_large', body: { error: `body is larger than ${maxBodyBytes} bytes` } };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, outcome: 'invalid_json', body: { error: 'body is not valid JSON' } };
    }
    const parsed = parseReceivedReport(body);
    if (!parsed.ok) return { status: 400, outcome: 'invalid_report', body: { error: parsed.error, path: parsed.path } };
    const report = judgedHere(knownIds === undefined ? parsed.report : onlyCatalogIds(parsed.report, knownIds));
    const t = now().getTime();
    const hourMs = Date.parse(report.hour);
    if (!isRealHour(report.hour) || hourMs > t + MAX_CLOCK_AHEAD_MS || hourMs < t - MAX_REPORT_AGE_DAYS * DAY_MS) {
      return {
        status: 400,
        outcome: 'invalid_report',
        body: { error: `invalid report at hour: not a real hour within the last ${MAX_REPORT_AGE_DAYS} days`, path: 'hour' },
      };
    }
    // The address is used for this lookup only and goes out of scope with this request.
    const location = await geo.lookup(request.address ?? '');
    let result: 'created' | 'duplicate';
    try {
      result = await store.insert({ report, cc: location?.cc ?? UNKNOWN_CC, asn: location?.asn ?? UNKNOWN_ASN, receivedHour: hourFloor(t) });
    } catch (error) {
      context.logStoreError(error);
      return { status: 503, outcome: 'store_unavailable', body: STORE_UNAVAILABLE_BODY, retryAfter: STORE_RETRY_AFTER };
    }
    return { status: 202, outcome: result === 'created' ? 'accepted' : 'duplicate', body: { id: report.id } };
  };
}

export function registerReportsRoute(app: CollectorApp, context: RouteContext, intake: (request: ReportRequest) => Promise<ReportAnswer>): void {
  app.post('/v1/reports', async (c) => {
    const answer = await intake({
      contentType: c.req.header('content-type'),
      contentLength: c.req.header('content-length'),
      address: context.clientAddress(c),
      body: contextBody(c),
    });
    c.set('outcome', answer.outcome);
    if (answer.retryAfter !== undefined) c.header('Retry-After', answer.retryAfter);
    return c.json(answer.body, answer.status);
  });
}
