// The scale benchmark: fills a store with N generated reports by bulk SQL (not through HTTP) and times the results page's reads and renders.
import { statfsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createApp } from '../src/collector/app';
import { DAY_SETTLE_MS } from '../src/collector/published-days';
import { PAGE_DAYS, TIMELINE_DAYS } from '../src/collector/results-routes';
import type { Geo } from '../src/collector/geo';
import type { Logger } from '../src/collector/logger';
import type { Store } from '../src/collector/store';
import type { Catalog } from '../src/core/catalog';
import type { SharedReport } from '../src/core/shared-report';

/** Two years: the default retention of raw reports; the day counts behind every page cover the same span. */
export const SCALE_DAYS = 730;
/** The country the page and export queries ask for: the first of COUNTRIES, which has the most networks and reports. */
export const SCALE_CC = 'MA';
/** Countries in falling order of reports; the i-th (from 1) has 200 / i networks (at least 2): ~860 networks in all. */
const COUNTRIES = [
  'MA', 'EG', 'AE', 'SA', 'QA', 'OM', 'DZ', 'TN', 'FR', 'RU', 'CN', 'IR', 'TR', 'PK', 'IN', 'ID', 'NG', 'KE', 'BR', 'US',
  'GB', 'DE', 'JO', 'LB', 'IQ', 'SY', 'LY', 'SD', 'YE', 'KW', 'BH', 'MR', 'SN', 'CI', 'CM', 'ML', 'BF', 'NE', 'TD', 'ET',
];
const APPS = 15;
/** Reads timed per query after one warm-up read; median and p95 of these. */
const SAMPLES = 21;
/** Never leave less than this free on the disk the database is on. */
const MIN_FREE_AFTER_BYTES = 5 * 1024 ** 3;
const DAY_MS = 86_400_000;
const ID_PLACEHOLDER = '00000000-0000-4000-8000-ffffffffffff';
const HOUR_PLACEHOLDER = '2000-01-01T00:00:00Z';

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: console.error };

function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The network × day table every generated row comes from: reports per network per day, Zipf-like over countries and networks. */
interface NetworkDay {
  day: string;
  cc: string;
  asn: number;
  /** Country index, from 0: which apps a country blocks. */
  ci: number;
  reports: number;
  /** Sequence number of the first of these reports: ids are made from it, so they are unique and in insertion order. */
  first: number;
}

function networkDays(reports: number, untilDay: string): { rows: NetworkDay[]; total: number; networks: number } {
  const networks: { cc: string; asn: number; ci: number; weight: number }[] = [];
  COUNTRIES.forEach((cc, ci) => {
    const count = Math.max(2, Math.round(200 / (ci + 1)));
    for (let k = 0; k < count; k++) networks.push({ cc, asn: 100_001 + networks.length, ci, weight: 1 / ((ci + 1) * (k + 1)) });
  });
  const weights = networks.reduce((sum, n) => sum + n.weight, 0);
  const untilMs = Date.parse(`${untilDay}T00:00:00Z`);
  const rows: NetworkDay[] = [];
  let total = 0;
  for (let d = 0; d < SCALE_DAYS; d++) {
    const day = dayString(untilMs - (SCALE_DAYS - d) * DAY_MS);
    networks.forEach((n, j) => {
      const perDay = (reports * n.weight) / (weights * SCALE_DAYS);
      // A fixed pseudo-random fraction per network and day: whole reports whose expectation is perDay.
      const count = Math.floor(perDay + ((d * 7_919 + j * 104_729) % 1_009) / 1_009);
      if (count === 0) return;
      rows.push({ day, cc: n.cc, asn: n.asn, ci: n.ci, reports: count, first: total });
      total += count;
    });
  }
  return { rows, total, networks: networks.length };
}

/** One stored body, ~2.4 KB: 15 apps and 5 probes (a full check's 45 probes make ~6 KB; no page query reads bodies). */
function bodyTemplate(catalog: Catalog): string {
  const report: SharedReport = {
    schema: 1,
    id: ID_PLACEHOLDER,
    hour: HOUR_PLACEHOLDER,
    extensionVersion: '0.1.0',
    catalogVersion: catalog.version,
    browser: { family: 'chrome', major: 137 },
    apps: catalog.apps.slice(0, APPS).map((app) => ({
      appId: app.id,
      verdict: 'works' as const,
      confidence: 'medium' as const,
      messaging: 'reachable' as const,
      calls: 'partial' as const,
      reasons: [],
    })),
    overall: { verdict: 'works', confidence: 'medium', reasons: [] },
    probes: catalog.apps.slice(0, 5).map((app) => ({ kind: 'http' as const, targetId: app.signalling[0]?.id ?? app.id, outcome: 'reachable' as const, ms: 120 })),
    quality: { rttMs: 42, jitterMs: 3, lossPct: 0.5, mos: 4.2 },
    nat: 'endpoint-independent',
  };
  return JSON.stringify(report);
}

/**
 * A cell's verdict mix from its report count: 70 % blocked where the country blocks the app
 * ((country + app) % 5 == 0), else 3 %; 10 % degraded, 5 % unknown, the rest works, each
 * rounded by a fixed fraction so that small cells vary too. `least` is min() on SQLite.
 */
function verdictColumns(least: string): string {
  const blocked = `${least}(nd.reports, (nd.reports * CASE WHEN (nd.ci + a.ai) % 5 = 0 THEN 70 ELSE 3 END + (nd.asn + a.ai) % 100) / 100)`;
  const degraded = `${least}(nd.reports - ${blocked}, (nd.reports * 10 + (nd.asn + 2 * a.ai) % 100) / 100)`;
  const unknown = `${least}(nd.reports - ${blocked} - ${degraded}, (nd.reports * 5 + (nd.asn + 3 * a.ai) % 100) / 100)`;
  return `nd.reports - ${blocked} - ${degraded} - ${unknown}, ${degraded}, ${blocked}, ${unknown}`;
}

export interface Filled {
  reports: number;
  dayCells: number;
  networks: number;
  fillSeconds: number;
}

/** Rows of the network × day table per statement or transaction while filling (about a month of days). */
const FILL_CHUNK_DAYS = 30;

function chunksOfDays(rows: readonly NetworkDay[]): string[][] {
  const days = [...new Set(rows.map((r) => r.day))];
  const chunks: string[][] = [];
  for (let i = 0; i < days.length; i += FILL_CHUNK_DAYS) chunks.push(days.slice(i, i + FILL_CHUNK_DAYS));
  return chunks;
}

function progress(label: string, done: number, of: number, started: number): void {
  process.stderr.write(`  ${label}: ${done}/${of} months, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

/** Fills the migrated SQLite file through its own connection: day counts, then reports, a month of days per transaction. */
export function fillSqlite(file: string, catalog: Catalog, reports: number, untilDay: string): Filled {
  const started = performance.now();
  const { rows, total, networks } = networkDays(reports, untilDay);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // A bulk load, thrown away afterwards: no fsync per transaction, a large page cache.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.exec(`CREATE TEMP TABLE bench_net_day (day TEXT, cc TEXT, asn INTEGER, ci INTEGER, reports INTEGER, first INTEGER);
    CREATE TEMP TABLE bench_apps (ai INTEGER, app_id TEXT);
    CREATE TEMP TABLE bench_k (k INTEGER PRIMARY KEY);`);
  const addRow = db.prepare('INSERT INTO bench_net_day VALUES (@day, @cc, @asn, @ci, @reports, @first)');
  db.transaction(() => {
    for (const row of rows) addRow.run(row);
    catalog.apps.slice(0, APPS).forEach((app, ai) => db.prepare('INSERT INTO bench_apps VALUES (?, ?)').run(ai, app.id));
    db.prepare('WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < ?) INSERT INTO bench_k SELECT n FROM k').run(
      rows.reduce((max, r) => Math.max(max, r.reports), 0),
    );
  })();
  db.exec(`CREATE INDEX temp.bench_net_day_by_day ON bench_net_day (day)`);
  const cells = db.prepare(
    `INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
     SELECT nd.day, nd.cc, nd.asn, a.app_id, ${verdictColumns('min')}
     FROM bench_net_day nd, bench_apps a WHERE nd.day >= @from AND nd.day <= @to ORDER BY nd.day, nd.cc, nd.asn, a.app_id`,
  );
  const id = "printf('00000000-0000-4000-8000-%012x', nd.first + k.k)";
  const hour = "nd.day || 'T' || printf('%02d', k.k % 24) || ':00:00Z'";
  const fill = db.prepare(
    `INSERT INTO reports (id, hour, received_hour, cc, asn, body)
     SELECT ${id}, ${hour}, ${hour}, nd.cc, nd.asn, replace(replace(@template, '${ID_PLACEHOLDER}', ${id}), '${HOUR_PLACEHOLDER}', ${hour})
     FROM bench_net_day nd JOIN bench_k k ON k.k < nd.reports WHERE nd.day >= @from AND nd.day <= @to ORDER BY nd.first + k.k`,
  );
  const template = bodyTemplate(catalog);
  const chunks = chunksOfDays(rows);
  chunks.forEach((days, i) => {
    const range = { from: days[0], to: days.at(-1) };
    db.transaction(() => {
      cells.run(range);
      fill.run({ ...range, template });
    })();
    progress(`sqlite ${reports}`, i + 1, chunks.length, started);
  });
  const dayCells = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM day_counts').get()?.n ?? 0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { reports: total, dayCells, networks, fillSeconds: (performance.now() - started) / 1000 };
}

/** Fills the migrated PostgreSQL database (or schema) through one client: day counts, then reports, a month of days per statement. */
export async function fillPostgres(url: string, catalog: Catalog, reports: number, untilDay: string): Promise<Filled> {
  const started = performance.now();
  const { rows, total, networks } = networkDays(reports, untilDay);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TEMP TABLE bench_net_day (day date, cc text, asn bigint, ci integer, reports integer, first bigint);
      CREATE TEMP TABLE bench_apps (ai integer, app_id text)`);
    for (let i = 0; i < rows.length; i += 50_000) {
      const part = rows.slice(i, i + 50_000);
      await client.query(
        'INSERT INTO bench_net_day SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::bigint[])',
        [part.map((r) => r.day), part.map((r) => r.cc), part.map((r) => r.asn), part.map((r) => r.ci), part.map((r) => r.reports), part.map((r) => r.first)],
      );
    }
    const apps = catalog.apps.slice(0, APPS);
    await client.query('INSERT INTO bench_apps SELECT * FROM unnest($1::int[], $2::text[])', [apps.map((_, ai) => ai), apps.map((a) => a.id)]);
    await client.query('CREATE INDEX ON bench_net_day (day); ANALYZE bench_net_day; ANALYZE bench_apps');
    const template = bodyTemplate(catalog);
    const chunks = chunksOfDays(rows);
    for (const [i, days] of chunks.entries()) {
      const range = [days[0], days.at(-1)];
      await client.query(
        `INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
         SELECT nd.day, nd.cc, nd.asn, a.app_id, ${verdictColumns('least')}
         FROM bench_net_day nd, bench_apps a WHERE nd.day BETWEEN $1::date AND $2::date ORDER BY nd.day, nd.cc, nd.asn, a.app_id`,
        range,
      );
      await client.query(
        `INSERT INTO reports (id, hour, received_hour, cc, asn, body)
         SELECT r.id, r.at, r.at, r.cc, r.asn, replace(replace($3, '${ID_PLACEHOLDER}', r.id::text), '${HOUR_PLACEHOLDER}', r.hour)::json
         FROM (SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(nd.first + k), 12, '0'))::uuid AS id,
                 (nd.day + make_interval(hours => k % 24)) AT TIME ZONE 'UTC' AS at,
                 to_char(nd.day, 'YYYY-MM-DD') || 'T' || lpad((k % 24)::text, 2, '0') || ':00:00Z' AS hour, nd.cc, nd.asn, nd.first + k AS n
               FROM bench_net_day nd, generate_series(0, nd.reports - 1) k WHERE nd.day BETWEEN $1::date AND $2::date) r
         ORDER BY r.n`,
        [...range, template],
      );
      progress(`postgres ${reports}`, i + 1, chunks.length, started);
    }
    // As autovacuum would after a load this size: the planner needs the tables' statistics.
    await client.query('ANALYZE reports; ANALYZE day_counts');
    const dayCells = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM day_counts')).rows[0]?.n ?? 0;
    return { reports: total, dayCells, networks, fillSeconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

export function sqliteSizeBytes(file: string): number {
  return [file, `${file}-wal`].reduce((sum, f) => {
    try {
      return sum + statSync(f).size;
    } catch {
      return sum;
    }
  }, 0);
}

/** Tables, indexes and TOAST of the current schema (the benchmark's own database or schema). */
export async function postgresSizeBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const size = await client.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'`,
    );
    return Number(size.rows[0]?.bytes ?? 0);
  } finally {
    await client.end();
  }
}

/** The fill writes about this much per report (body, keys, indexes, and the day cells' share), with room for the WAL. */
export function estimatedBytes(reports: number, catalog: Catalog): number {
  return reports * (bodyTemplate(catalog).length + 400) * 1.5;
}

/** Whether filling `reports` would leave at least 5 GB free on the disk holding `path`; else why not. */
export function roomFor(path: string, reports: number, catalog: Catalog): string | undefined {
  const fs = statfsSync(path);
  const free = fs.bavail * fs.bsize;
  const need = estimatedBytes(reports, catalog);
  return free - need >= MIN_FREE_AFTER_BYTES
    ? undefined
    : `skipped: filling ${reports} reports needs ~${(need / 1024 ** 3).toFixed(1)} GB and ${dirname(path)} has ${(free / 1024 ** 3).toFixed(1)} GB free (at least 5 GB must stay free)`;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function timed(run: () => Promise<unknown>): Promise<string> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
  return `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 95))}`;
}

/**
 * The longest the event loop went without running a 5 ms timer while `run` ran, in ms (median of 5 runs): how long
 * the read held every other request (on SQLite, reads run on the event loop).
 */
async function longestHold(run: () => Promise<unknown>): Promise<number> {
  const holds: number[] = [];
  for (let i = 0; i < 5; i++) {
    let last = performance.now();
    let longest = 0;
    const ticker = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 5);
    await run();
    clearInterval(ticker);
    holds.push(Math.max(longest, performance.now() - last));
  }
  holds.sort((a, b) => a - b);
  return Math.round(percentile(holds, 50));
}

export interface ScaleResult {
  store: string;
  reports: number;
  'day cells': number;
  'fill s': number;
  'DB MB': number;
  /** The first map read sums every finished day once (in service: one day, once a day); '' when not the first. */
  'map 1st read ms': number | '';
  /** The rest: median / p95 ms of 21 reads, each uncached (the app's page cache is bypassed). */
  'country page cells': string;
  'map sums': string;
  'export 7 d': string;
  'export 366 d': string;
  /** The longest the event loop was held while the 366-day export was read (median of 5). */
  'export 366 d hold ms': number;
  'GET /country': string;
  'GET /': string;
  'GET /v1/aggregates': string;
  'page KB': number;
  /** Countries the map colours: those with a published cell in the last 7 days. */
  'map countries': number;
}

/** Times the results page's reads (store) and whole answers (app, page cache bypassed) on a filled store. */
export async function measure(
  name: string,
  store: Store,
  filled: Filled,
  sizeBytes: number,
  catalog: Catalog,
  geo: Geo,
  untilDay: string,
  first = true,
): Promise<ScaleResult> {
  const untilMs = Date.parse(`${untilDay}T00:00:00Z`);
  const from = (days: number) => dayString(untilMs - days * DAY_MS);
  const firstStarted = performance.now();
  const rolled = await store.countrySums({ fromDay: from(PAGE_DAYS), untilDay, minPerCell: 5 });
  const firstMapRead = performance.now() - firstStarted;
  // A new generation per request: the app renders every page again instead of answering from its cache.
  let generation = 0;
  const app = createApp({ store, geo, rateLimit: null, logger: silentLogger, catalog, statsGeneration: () => ++generation });
  const get = async (path: string) => {
    const res = await app.request(path);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
    return body;
  };
  const page = await get(`/country/${SCALE_CC}?lang=en`);
  return {
    store: name,
    reports: filled.reports,
    'day cells': filled.dayCells,
    'fill s': Math.round(filled.fillSeconds),
    'DB MB': Math.round(sizeBytes / 1024 ** 2),
    'map 1st read ms': first ? Math.round(firstMapRead) : '',
    'country page cells': await timed(() => store.dayCells({ fromDay: from(TIMELINE_DAYS), untilDay, cc: SCALE_CC, minPerCell: 1 })),
    'map sums': await timed(() => store.countrySums({ fromDay: from(PAGE_DAYS), untilDay, minPerCell: 5 })),
    'export 7 d': await timed(() => store.dayCells({ fromDay: from(PAGE_DAYS), untilDay, cc: SCALE_CC, minPerCell: 5 })),
    'export 366 d': await timed(() => store.dayCells({ fromDay: from(366), untilDay, cc: SCALE_CC, minPerCell: 5 })),
    'export 366 d hold ms': await longestHold(() => store.dayCells({ fromDay: from(366), untilDay, cc: SCALE_CC, minPerCell: 5 })),
    'GET /country': await timed(() => get(`/country/${SCALE_CC}?lang=en`)),
    'GET /': await timed(() => get('/?lang=en')),
    'GET /v1/aggregates': await timed(() => get(`/v1/aggregates?cc=${SCALE_CC}&format=csv`)),
    'page KB': Math.round(Buffer.byteLength(page) / 1024),
    'map countries': rolled.length,
  };
}

/** The day the app's pages end with now (the first day not published): the generated days end the day before. */
export function publishedUntilDay(): string {
  return dayString(Math.floor((Date.now() - DAY_SETTLE_MS) / DAY_MS) * DAY_MS);
}

export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
}

/** The index the country page's read needs (migration 5): dropped after the first measurement, to measure without it on the same data. */
export const COUNTRY_INDEX = 'day_counts_by_country';
export const WITHOUT_COUNTRY_INDEX = `without ${COUNTRY_INDEX}`;
