// Benchmarks the collector on loopback: N realistic reports from C concurrent fetch clients, then checks accepted == stored.
// Usage: npm run bench:collector -- [--reports=2000] [--clients=16]; set DATABASE_URL to also run on PostgreSQL
// (the run uses a temporary schema in that database and drops it afterwards).
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp } from '../src/collector/app';
import { createStaticGeo } from '../src/collector/geo';
import { listen } from '../src/collector/http-server';
import type { Logger } from '../src/collector/logger';
import type { Store } from '../src/collector/store';
import { openPostgresStore } from '../src/collector/store-postgres';
import { openSqliteStore } from '../src/collector/store-sqlite';
import { FAILURES } from '../src/core/failure';
import { REASONS } from '../src/core/report';
import type { SharedReport } from '../src/core/shared-report';

const REQUEST_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 300_000;
const LOAD_CLIENT_FLAG = '--load-client';

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

/** About the size of a real check: 15 apps, 45 probes (~6 KB of JSON). */
function makeReport(i: number, hour: string): SharedReport {
  const verdicts = ['works', 'works', 'works', 'degraded', 'blocked', 'unknown'] as const;
  return {
    schema: 1,
    id: randomUUID(),
    hour,
    extensionVersion: '0.1.0',
    catalogVersion: '2026.06.18',
    browser: { family: i % 3 === 0 ? 'firefox' : 'chrome', major: 137 + (i % 5) },
    apps: Array.from({ length: 15 }, (_, a) => ({
      appId: `app-${a}`,
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
            targetId: `app-${p % 15}-relay`,
            transport: 'udp' as const,
            outcome: 'filtered' as const,
            evidence: 'deadline' as const,
            ms: 3000,
          }
        : {
            kind: 'http' as const,
            targetId: `app-${p % 15}-web-${p}`,
            outcome: 'failed' as const,
            failure: pick(FAILURES, p),
            ms: 10 * ((i + p) % 300),
          },
    ),
    quality: { rttMs: 40 + (i % 50), jitterMs: 3, lossPct: 0.5, mos: 4.1 },
    nat: 'endpoint-independent',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface LoadJob {
  url: string;
  bodies: string[];
  clients: number;
}

interface LoadResult {
  accepted: number;
  latencies: number[];
}

/** The client side: C loops sharing one queue of bodies, each timing its own requests. */
async function sendAll({ url, bodies, clients }: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const client = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const started = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[i],
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      if (res.status === 202) accepted += 1;
      else console.error(`report ${i}: HTTP ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { accepted, latencies };
}

interface Result {
  backend: string;
  reports: number;
  clients: number;
  accepted: number;
  stored: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

async function bench(backend: string, store: Store, reports: number, clients: number): Promise<Result> {
  const now = Date.now();
  const hour = new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const app = createApp({
    store,
    // Loopback has no country: give it one so per-network rows are written as in production.
    geo: createStaticGeo({ '127.0.0.1': { cc: 'MA', asn: 36903 } }),
    rateLimit: null,
    logger: silentLogger,
  });
  const server = await listen(app, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${server.port}/v1/reports`;
  const bodies = Array.from({ length: reports }, (_, i) => JSON.stringify(makeReport(i, hour)));
  // The clients run in a child process so they do not compete with the server for its event loop.
  const loader = fork(fileURLToPath(import.meta.url), [LOAD_CLIENT_FLAG], { execArgv: ['--import', 'tsx'] });
  let started = 0;
  const load = await new Promise<LoadResult>((resolve, reject) => {
    loader.on('message', (message) => {
      if (message === 'ready') {
        started = performance.now();
        loader.send({ url, bodies, clients } satisfies LoadJob);
      } else resolve(message as LoadResult);
    });
    loader.once('error', reject);
    loader.once('exit', (code) => reject(new Error(`load client exited with ${code}`)));
  });
  loader.kill();
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  const stored = await store.count();
  const latencies = [...load.latencies].sort((a, b) => a - b);
  return {
    backend,
    reports,
    clients,
    accepted: load.accepted,
    stored,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(reports / seconds),
    p50: Number(percentile(latencies, 50).toFixed(1)),
    p99: Number(percentile(latencies, 99).toFixed(1)),
    max: Number((latencies.at(-1) ?? Number.NaN).toFixed(1)),
  };
}

async function withPostgres(databaseUrl: string, run: (store: Store) => Promise<Result>): Promise<Result> {
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
      return await run(store);
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const reports = option('reports', 2000, 1_000_000);
  const clients = option('clients', 16, 1000);
  const results: Result[] = [];

  const dir = mkdtempSync(join(tmpdir(), 'canicall-bench-'));
  try {
    const store = openSqliteStore(join(dir, 'collector.db'));
    try {
      results.push(await bench('sqlite', store, reports, clients));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    results.push(await withPostgres(databaseUrl, (store) => bench('postgres', store, reports, clients)));
  }

  console.table(results);
  const bad = results.filter((r) => r.accepted !== r.reports || r.stored !== r.accepted);
  if (bad.length > 0) {
    console.error(`accepted != stored on ${bad.map((r) => r.backend).join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv.includes(LOAD_CLIENT_FLAG)) {
  process.once('message', (job) => {
    void sendAll(job as LoadJob).then((result) => process.send?.(result));
  });
  process.send?.('ready');
} else {
  const deadline = setTimeout(() => {
    console.error(`benchmark did not finish within ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  deadline.unref();
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
