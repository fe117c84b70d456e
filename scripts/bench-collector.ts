// Benchmarks the collector on loopback: N realistic reports from C concurrent keep-alive connections, then checks accepted == stored,
// on SQLite and on PostgreSQL; then the latency of an uncached stats query.
// Usage: npm run bench:collector -- [--reports=4000] [--clients=16] [--only=sqlite|postgres] [--stats] [--cpu-prof[=dir]]
//   [--sqlite-synchronous=full|normal]
// Each row prints the machine's load average (1 min) at the start of its run: other work on the 2 cores moves every figure.
// --cpu-prof: runs again under `node --cpu-prof`, one .cpuprofile per thread of the collector (main, SQLite writer) in
// dir (default a new temporary one); the load generator is not profiled. Open them in Chrome DevTools or speedscope.
// --stats: then seeds the day cells 1 M reports would make and times uncached stats reads.
// --scale=1000000,10000000: instead, for each size, fills a store with that many generated reports by bulk SQL
// (bench-scale.ts) and times the results page's reads and renders; run it under `flock /tmp/heavy.lock`.
// PostgreSQL: DATABASE_URL (a temporary schema in that database, dropped afterwards), else a throwaway
// server started like the tests' (tools/postgres.ts), with fsync on like a real one.
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createApp } from '../src/collector/app';
import { loadCatalogFile } from '../src/collector/catalog-signer';
import { createIpLocationGeo, createStaticGeo } from '../src/collector/geo';
import { listen } from '../src/collector/http-server';
import type { Logger } from '../src/collector/logger';
import type { Store } from '../src/collector/store';
import { openPostgresStore } from '../src/collector/store-postgres';
import { openSqliteStore } from '../src/collector/store-sqlite';
import { FAILURES } from '../src/core/failure';
import { REASONS } from '../src/core/reasons';
import type { Catalog } from '../src/core/catalog';
import type { SharedReport } from '../src/core/shared-report';
import { startPostgres } from '../tools/postgres';
import type { TestPostgres } from '../tools/postgres';
import {
  COUNTRY_INDEX,
  fillPostgres,
  fillSqlite,
  loadAverage,
  measure,
  postgresSizeBytes,
  publishedUntilDay,
  roomFor,
  sqliteSizeBytes,
  WITHOUT_COUNTRY_INDEX,
} from './bench-scale';
import type { ScaleResult } from './bench-scale';

const REQUEST_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 300_000;
/** Filling 10 M reports into each store takes most of an hour on the 2-core machine. */
const SCALE_TIMEOUT_MS = 4 * 3_600_000;
const LOAD_CLIENT_FLAG = '--load-client';
const CPU_PROF_FLAG = '--cpu-prof';
/** Linux's clock tick, in ms, the unit of /proc's per-thread CPU times. */
const CLOCK_TICK_MS = 10;

function option(name: string, fallback: number, max: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  return value;
}

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: console.error };

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** About the size of a real check: 15 apps, 45 probes (~6 KB of JSON), with the catalog's ids so nothing is dropped. */
function makeReport(catalog: Catalog, i: number, hour: string): SharedReport {
  const verdicts = ['works', 'works', 'works', 'degraded', 'blocked', 'unknown'] as const;
  const targets = [...catalog.controls.http, ...catalog.controls.stun, ...catalog.apps.flatMap((a) => [...a.signalling, ...a.media])].map(
    (t) => t.id,
  );
  return {
    schema: 1,
    id: randomUUID(),
    hour,
    extensionVersion: '0.1.0',
    catalogVersion: '2026.06.18',
    browser: { family: i % 3 === 0 ? 'firefox' : 'chrome', major: 137 + (i % 5) },
    apps: catalog.apps.slice(0, 15).map((catalogApp, a) => ({
      appId: catalogApp.id,
      verdict: pick(verdicts, i + a),
      confidence: 'medium' as const,
      messaging: 'reachable' as const,
      calls: 'partial' as const,
      reasons: [pick(REASONS, i + a)],
    })),
    overall: { verdict: 'degraded', confidence: 'medium', reasons: ['PARTIAL'] },
    probes: Array.from({ length: 45 }, (_, p) =>
      p % 3 === 0
        ? {
            kind: 'ice' as const,
            targetId: pick(targets, p),
            transport: 'udp' as const,
            outcome: 'filtered' as const,
            evidence: 'deadline' as const,
            ms: 3000,
          }
        : {
            kind: 'http' as const,
            targetId: pick(targets, p),
            outcome: 'failed' as const,
            failure: pick(FAILURES, p),
            ms: 10 * ((i + p) % 300),
          },
    ),
    quality: { rttMs: 40 + (i % 50), jitterMs: 3, lossPct: 0.5, mos: 4.1 },
    nat: 'endpoint-independent',
  };
}

/**
 * CPU time of each of this process's threads, ms by thread id, from /proc on Linux (empty elsewhere). The main thread's
 * id is the process id (the event loop: HTTP, validation, batching); on SQLite the busiest other one is the writer
 * thread; the rest are V8's and libuv's helpers. Counted in 10 ms ticks: over thousands of reports the error is far
 * below the figure.
 */
function threadCpuMs(): Map<number, number> {
  const times = new Map<number, number>();
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const fields = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) times.set(Number(task), ticks * CLOCK_TICK_MS);
    }
  } catch {
    // Not Linux, or a thread ended while being read: no per-thread figures.
  }
  return times;
}

/** Per report: the main thread's CPU and the busiest other thread's, from two threadCpuMs() readings. */
function threadSplit(before: Map<number, number>, after: Map<number, number>, reports: number): { main?: number; busiestOther?: number } {
  const main = after.get(process.pid);
  const mainBefore = before.get(process.pid);
  if (main === undefined || mainBefore === undefined) return {};
  const others = [...after].filter(([id]) => id !== process.pid).map(([id, ms]) => ms - (before.get(id) ?? 0));
  const per = (ms: number) => Number((ms / reports).toFixed(3));
  return { main: per(main - mainBefore), busiestOther: per(Math.max(0, ...others)) };
}

/** CPU time (user + system) of other processes on this machine, ms by process id, from /proc; a process that ended is left out. */
function processCpuMs(pids: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) times.set(pid, ticks * CLOCK_TICK_MS);
    } catch {
      // Ended, or not Linux.
    }
  }
  return times;
}

/**
 * The database server's processes (PostgreSQL: its backends and background workers, as pg_stat_activity lists them;
 * the postmaster itself is left out, it only forks), so the table can say what the server spent per report.
 */
type ServerPids = () => Promise<number[]>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface LoadJob {
  url: string;
  catalog: Catalog;
  hour: string;
  reports: number;
  clients: number;
}

interface LoadResult {
  accepted: number;
  latencies: number[];
  /** CPU time of the load generator per report: it shares the machine's cores with the collector. */
  cpuMsPerReport: number;
}

/**
 * One client: a keep-alive connection writing whole pre-built requests and reading just enough of each response (its
 * status and Content-Length) to know where it ends. node:http cost the load generator ~0.5 ms of CPU per report (request
 * and response objects, header handling, the parser's callbacks), half of what the collector spends, on the same 2 cores.
 */
class RawClient {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.setTimeout(REQUEST_TIMEOUT_MS, () => this.socket.destroy(new Error('timeout')));
    this.socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      this.readResponse();
    });
    const fail = (error: Error) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(error);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  /** Sends one request (head and body in one buffer) and resolves to the response's status once all of it arrived. */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private readResponse(): void {
    const headEnd = this.pending.indexOf('\r\n\r\n');
    if (headEnd < 0 || this.waiting === undefined) return;
    const head = this.pending.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) {
      this.socket.destroy(new Error(`a response without Content-Length: ${head.slice(0, 200)}`));
      return;
    }
    const end = headEnd + 4 + Number(length);
    if (this.pending.length < end) return;
    if (this.pending.length > end) {
      this.socket.destroy(new Error('bytes after a response to the last request'));
      return;
    }
    this.pending = Buffer.alloc(0);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve(Number(head.slice(9, 12)));
  }
}

/** A whole HTTP/1.1 request, head and body, built before the clock starts. */
function requestBytes(port: number, body: string): Buffer {
  const bytes = Buffer.from(body);
  const head = `POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/** The client side: C connections sharing one queue of requests, each timing its own. */
async function sendAll({ url, catalog, hour, reports, clients }: LoadJob): Promise<LoadResult> {
  const port = Number(new URL(url).port);
  // Made here, not in the server's process: neither making nor passing them is the collector's work.
  const requests = Array.from({ length: reports }, (_, i) => requestBytes(port, JSON.stringify(makeReport(catalog, i, hour))));
  const connections = Array.from({ length: clients }, () => new RawClient(port));
  process.send?.('started');
  const cpuAtStart = process.cpuUsage();
  const latencies = new Float64Array(reports);
  let next = 0;
  let accepted = 0;
  const client = async (connection: RawClient) => {
    for (let i = next++; i < requests.length; i = next++) {
      const started = performance.now();
      const status = await connection.send(requests[i] ?? Buffer.alloc(0));
      latencies[i] = performance.now() - started;
      if (status === 202) accepted += 1;
      else console.error(`report ${i}: HTTP ${status}`);
    }
  };
  try {
    await Promise.all(connections.map(client));
  } finally {
    for (const connection of connections) connection.close();
  }
  const cpu = process.cpuUsage(cpuAtStart);
  return { accepted, latencies: [...latencies], cpuMsPerReport: (cpu.user + cpu.system) / 1000 / reports };
}

interface Result {
  backend: string;
  /** The machine's 1-minute load average when this run started. */
  load: number;
  reports: number;
  clients: number;
  accepted: number;
  stored: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** CPU time of the collector process, all its threads (not the database server's, not the load generator's) per report. */
  serverCpuMsPerReport: number;
  /** Of which its main thread's, the event loop that caps one process's rate (Linux only). */
  mainThreadCpuMsPerReport: number | undefined;
  /** Of which the busiest other thread's: on SQLite the writer thread (Linux only). */
  otherThreadCpuMsPerReport: number | undefined;
  /** PostgreSQL's own processes (Linux, the server on this machine), per report. */
  databaseCpuMsPerReport: number | undefined;
  clientCpuMsPerReport: number;
}

async function bench(
  backend: string,
  store: Store,
  catalog: Catalog,
  reports: number,
  clients: number,
  serverPids?: ServerPids,
): Promise<Result> {
  const now = Date.now();
  const hour = new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const app = createApp({
    store,
    // Loopback has no country: give it one so per-network rows are written as in production.
    geo: createStaticGeo({ '127.0.0.1': { cc: 'MA', asn: 36903 } }),
    rateLimit: null,
    logger: silentLogger,
    catalog,
  });
  const server = await listen(app, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${server.port}/v1/reports`;
  const load1 = Number((loadavg()[0] ?? Number.NaN).toFixed(2));
  const pidsAtStart = serverPids === undefined ? [] : await serverPids();
  let databaseAtStart = new Map<number, number>();
  // The clients run in a child process so they do not compete with the server for its event loop.
  const loader = fork(fileURLToPath(import.meta.url), [LOAD_CLIENT_FLAG], { execArgv: ['--import', 'tsx'] });
  let started = 0;
  let cpuAtStart = process.cpuUsage();
  let threadsAtStart = threadCpuMs();
  const load = await new Promise<LoadResult>((resolve, reject) => {
    loader.on('message', (message) => {
      if (message === 'ready') {
        loader.send({ url, catalog, hour, reports, clients } satisfies LoadJob);
      } else if (message === 'started') {
        started = performance.now();
        cpuAtStart = process.cpuUsage();
        threadsAtStart = threadCpuMs();
        databaseAtStart = processCpuMs(pidsAtStart);
      } else resolve(message as LoadResult);
    });
    loader.once('error', reject);
    loader.once('exit', (code) => reject(new Error(`load client exited with ${code}`)));
  });
  const cpu = process.cpuUsage(cpuAtStart);
  const split = threadSplit(threadsAtStart, threadCpuMs(), reports);
  loader.kill();
  let databaseMs: number | undefined;
  if (serverPids !== undefined) {
    const atEnd = processCpuMs(await serverPids());
    // A connection the pool opened during the run counts from zero: its start-up is the run's too.
    databaseMs = [...atEnd].reduce((sum, [pid, ms]) => sum + ms - (databaseAtStart.get(pid) ?? 0), 0);
  }
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  const stored = await store.count();
  const latencies = [...load.latencies].sort((a, b) => a - b);
  return {
    backend,
    load: load1,
    reports,
    clients,
    accepted: load.accepted,
    stored,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(reports / seconds),
    p50: Number(percentile(latencies, 50).toFixed(1)),
    p99: Number(percentile(latencies, 99).toFixed(1)),
    max: Number((latencies.at(-1) ?? Number.NaN).toFixed(1)),
    serverCpuMsPerReport: Number(((cpu.user + cpu.system) / 1000 / reports).toFixed(3)),
    mainThreadCpuMsPerReport: split.main,
    otherThreadCpuMsPerReport: split.busiestOther,
    databaseCpuMsPerReport: databaseMs === undefined ? undefined : Number((databaseMs / reports).toFixed(3)),
    clientCpuMsPerReport: Number(load.cpuMsPerReport.toFixed(3)),
  };
}

/**
 * Day cells as 1 M reports would leave them: 90 days x 1,000 networks x 15 apps (1.35 M cells,
 * about 11 reports per network and day). Stats read only this table, so its size is what they cost.
 */
const SEED_DAYS = 90;
const SEED_NETWORKS = 1_000;
const SEED_APPS = 15;

const SEED_SQLITE = `
  WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < ${SEED_DAYS}),
    net(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM net WHERE n < ${SEED_NETWORKS}),
    app(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM app WHERE n < ${SEED_APPS})
  INSERT OR IGNORE INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
  SELECT date(@until, '-' || d.n || ' days'), 'MA', 100000 + net.n, 'seed-app-' || app.n, 7, 2, 1, 1 FROM d, net, app`;

const SEED_POSTGRES = `
  INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
  SELECT $1::date - d, 'MA', 100000 + net, 'seed-app-' || app, 7, 2, 1, 1
  FROM generate_series(1, ${SEED_DAYS}) d, generate_series(1, ${SEED_NETWORKS}) net, generate_series(1, ${SEED_APPS}) app
  ON CONFLICT DO NOTHING`;

interface StatsResult {
  backend: string;
  cells: number;
  /** The first read, which sums the 90 finished days once (in service: one day, once a day), ms. */
  firstReadSums90Days: number;
  /** Median of 9 uncached reads, ms: every network, 90 days. */
  allNetworks90d: number;
  /** The extension's query: one network, 90 days. */
  oneNetwork90d: number;
}

async function statsLatency(backend: string, store: Store, seed: (until: string) => Promise<void>): Promise<StatsResult> {
  const until = new Date().toISOString().slice(0, 10);
  await seed(until);
  const fromDay = new Date(Date.parse(until) - SEED_DAYS * 86_400_000).toISOString().slice(0, 10);
  const time = async (query: Omit<Parameters<Store['cellSums']>[0], 'fromDay' | 'untilDay' | 'minPerCell'>) => {
    const samples: number[] = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      await store.cellSums({ fromDay, untilDay: until, minPerCell: 5, ...query });
      samples.push(performance.now() - started);
    }
    return Number(percentile(samples.sort((a, b) => a - b), 50).toFixed(1));
  };
  const first = performance.now();
  await store.cellSums({ fromDay, untilDay: until, minPerCell: 5 });
  const firstReadSums90Days = Number((performance.now() - first).toFixed(1));
  return {
    backend,
    cells: SEED_DAYS * SEED_NETWORKS * SEED_APPS,
    firstReadSums90Days,
    allNetworks90d: await time({}),
    oneNetwork90d: await time({ cc: 'MA', asn: 100_500 }),
  };
}

async function postgresPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()');
    return result.rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

async function withPostgres<T>(databaseUrl: string, run: (store: Store, scopedUrl: string) => Promise<T>): Promise<T> {
  // A throwaway schema keeps the benchmark's rows out of whatever the database already holds.
  const schema = `bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(databaseUrl);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  try {
    const store = await openPostgresStore(scoped.toString(), { poolSize: 20 });
    try {
      return await run(store, scoped.toString());
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

/** --scale: per size, SQLite then PostgreSQL, each filled, measured and deleted before the next (disk). */
async function scaleBenchmark(sizes: number[], only: string | undefined, catalog: Catalog): Promise<void> {
  console.log(`${new Date().toISOString()}, load average at start: ${loadAverage()}`);
  const geo = createIpLocationGeo();
  await geo.ready;
  const untilDay = publishedUntilDay();
  const results: ScaleResult[] = [];
  // Each row as soon as it is measured, then all of them at the end: a 10 M run takes long enough to be cut short.
  const push = (row: ScaleResult) => {
    results.push(row);
    console.log(JSON.stringify(row));
  };
  const skipped: string[] = [];
  let server: TestPostgres | undefined;
  try {
    for (const size of sizes) {
      if (only !== 'postgres') {
        const dir = mkdtempSync(join(tmpdir(), 'canicall-scale-'));
        try {
          const file = join(dir, 'collector.db');
          const noRoom = roomFor(dir, size, catalog);
          if (noRoom === undefined) {
            const store = openSqliteStore(file);
            try {
              const filled = fillSqlite(file, catalog, size, untilDay);
              push(await measure('sqlite', store, filled, sqliteSizeBytes(file), catalog, geo, untilDay));
              const db = new Database(file);
              db.exec(`DROP INDEX ${COUNTRY_INDEX}`);
              db.close();
              push(await measure(`sqlite ${WITHOUT_COUNTRY_INDEX}`, store, filled, sqliteSizeBytes(file), catalog, geo, untilDay, false));
            } finally {
              await store.close();
            }
          } else skipped.push(`sqlite ${size}: ${noRoom}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        console.log(`sqlite ${size} done, load average: ${loadAverage()}`);
      }
      if (only !== 'sqlite') {
        const noRoom = roomFor(tmpdir(), size, catalog);
        if (noRoom === undefined) {
          const databaseUrl = process.env.DATABASE_URL;
          if ((databaseUrl === undefined || databaseUrl === '') && server === undefined) server = await startPostgres({ durable: true });
          const url = server === undefined ? (databaseUrl ?? '') : await server.createDatabase();
          await withPostgres(url, async (store, scopedUrl) => {
            const filled = await fillPostgres(scopedUrl, catalog, size, untilDay);
            push(await measure('postgres', store, filled, await postgresSizeBytes(scopedUrl), catalog, geo, untilDay));
            const client = new pg.Client({ connectionString: scopedUrl });
            await client.connect();
            await client.query(`DROP INDEX ${COUNTRY_INDEX}`);
            await client.end();
            push(await measure(`postgres ${WITHOUT_COUNTRY_INDEX}`, store, filled, await postgresSizeBytes(scopedUrl), catalog, geo, untilDay, false));
          });
        } else skipped.push(`postgres ${size}: ${noRoom}`);
        console.log(`postgres ${size} done, load average: ${loadAverage()}`);
      }
    }
  } finally {
    server?.stop();
  }
  console.log(`${new Date().toISOString()}, load average at end: ${loadAverage()}`);
  console.table(results);
  for (const line of skipped) console.log(line);
}

async function main(): Promise<void> {
  const scale = process.argv.find((a) => a.startsWith('--scale='));
  if (scale !== undefined) {
    const sizes = scale.slice('--scale='.length).split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000_000)) throw new Error('--scale takes report counts, e.g. --scale=1000000,10000000');
    const loaded = await loadCatalogFile(fileURLToPath(new URL('../src/core/catalog.json', import.meta.url)));
    if (!loaded.ok) throw new Error(loaded.error);
    await scaleBenchmark(sizes, process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length), loaded.catalog);
    return;
  }
  const reports = option('reports', 4000, 1_000_000);
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const clients = option('clients', 16, 1000);
  const results: Result[] = [];
  const statsResults: StatsResult[] = [];
  const withStats = process.argv.includes('--stats');
  const loaded = await loadCatalogFile(fileURLToPath(new URL('../src/core/catalog.json', import.meta.url)));
  if (!loaded.ok) throw new Error(loaded.error);
  const { catalog } = loaded;

  const synchronous = process.argv.find((a) => a.startsWith('--sqlite-synchronous='))?.slice('--sqlite-synchronous='.length) ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') throw new Error('--sqlite-synchronous must be full or normal');
  const dir = mkdtempSync(join(tmpdir(), 'canicall-bench-'));
  if (only !== 'postgres') try {
    const store = openSqliteStore(join(dir, 'collector.db'), { synchronous });
    try {
      results.push(await bench(`sqlite ${synchronous}`, store, catalog, reports, clients));
      if (withStats) {
        statsResults.push(
          await statsLatency('sqlite', store, (until) => {
            const db = new Database(join(dir, 'collector.db'));
            db.prepare(SEED_SQLITE).run({ until });
            db.close();
            return Promise.resolve();
          }),
        );
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const databaseUrl = process.env.DATABASE_URL;
  if (only === 'sqlite') {
    // SQLite only.
  } else {
    const server = databaseUrl !== undefined && databaseUrl !== '' ? undefined : await startPostgres({ durable: true });
    try {
      const url = server === undefined ? (databaseUrl ?? '') : await server.createDatabase();
      await withPostgres(url, async (store, scopedUrl) => {
        results.push(await bench('postgres', store, catalog, reports, clients, () => postgresPids(scopedUrl)));
        if (withStats) {
          statsResults.push(
            await statsLatency('postgres', store, async (until) => {
              const client = new pg.Client({ connectionString: scopedUrl });
              await client.connect();
              await client.query(SEED_POSTGRES, [until]);
              await client.query('ANALYZE day_counts');
              await client.end();
            }),
          );
        }
      });
    } finally {
      server?.stop();
    }
  }

  console.table(results);
  if (statsResults.length > 0) console.table(statsResults);
  const bad = results.filter((r) => r.accepted !== r.reports || r.stored !== r.accepted);
  if (bad.length > 0) {
    console.error(`accepted != stored on ${bad.map((r) => r.backend).join(', ')}`);
    process.exitCode = 1;
  }
}

/** The same command again under `node --cpu-prof` (a flag of node itself), profiles in dir; resolves to its exit code. */
function rerunProfiled(flag: string, dir: string): Promise<number> {
  const args = [...process.execArgv, CPU_PROF_FLAG, `--cpu-prof-dir=${dir}`, fileURLToPath(import.meta.url), ...process.argv.slice(2).filter((a) => a !== flag)];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const cpuProfFlag = process.argv.find((a) => a === CPU_PROF_FLAG || a.startsWith(`${CPU_PROF_FLAG}=`));
if (cpuProfFlag !== undefined && !process.execArgv.includes(CPU_PROF_FLAG)) {
  const dir = cpuProfFlag.includes('=') ? cpuProfFlag.slice(CPU_PROF_FLAG.length + 1) : mkdtempSync(join(tmpdir(), 'canicall-cpu-prof-'));
  void rerunProfiled(cpuProfFlag, dir).then((code) => {
    console.log(`CPU profiles (one per thread) in ${dir}`);
    process.exitCode = code;
  });
} else if (process.argv.includes(LOAD_CLIENT_FLAG)) {
  process.once('message', (job) => {
    void sendAll(job as LoadJob).then((result) => process.send?.(result));
  });
  process.send?.('ready');
} else {
  const timeoutMs = process.argv.some((a) => a.startsWith('--scale=')) ? SCALE_TIMEOUT_MS : RUN_TIMEOUT_MS;
  const deadline = setTimeout(() => {
    console.error(`benchmark did not finish within ${timeoutMs / 1000} s`);
    process.exit(1);
  }, timeoutMs);
  deadline.unref();
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
