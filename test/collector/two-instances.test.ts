// Two real collector processes on one real PostgreSQL behind one real caddy (round robin): nothing lost, nothing twice, the same pages from either.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../tools/free-port';
import { startPostgres } from '../../tools/postgres';
import type { TestPostgres } from '../../tools/postgres';
import { sharedReport } from './fixtures';

/** Addresses the collectors' real geolocation data places in Morocco (AS6713) and Algeria (AS36947). */
const MOROCCO = '41.140.0.1';
const ALGERIA = '41.96.0.1';
const DAY_MS = 86_400_000;

interface Running {
  name: string;
  child: ChildProcessWithoutNullStreams;
  logs: string[];
  exited: Promise<number | null>;
}

let server: TestPostgres | undefined;
const running: Running[] = [];
let dir: string | undefined;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  for (const r of running) r.child.kill('SIGTERM');
  await Promise.all(running.map((r) => r.exited));
  server?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Starts a process; with `ready`, resolves once that appears in its output (or rejects if it exits first). */
async function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, ready?: (output: string) => boolean): Promise<Running> {
  const child = spawn(command, args, { cwd: process.cwd(), env, stdio: ['pipe', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const r: Running = { name, child, logs, exited };
  running.push(r);
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: string) => {
      logs.push(chunk);
      if (ready?.(logs.join('')) === true) resolve();
    };
    if (ready === undefined) resolve();
    child.stdout.setEncoding('utf8').on('data', seen);
    child.stderr.setEncoding('utf8').on('data', seen);
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready: ${logs.join('')}`)));
  });
  return r;
}

function startCollector(name: string, port: number, databaseUrl: string): Promise<Running> {
  return start(
    name,
    process.execPath,
    ['--import', 'tsx', 'src/collector/main.ts'],
    {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT: 'off',
      TRUST_PROXY: '1',
      CATALOG_SIGNING_KEY: '',
      CIC_LOCAL_RELAY: '0',
    },
    (output) => output.includes('"msg":"listening"'),
  );
}

/**
 * caddy as an operator would put it in front: one listener, the two instances as upstreams in turn,
 * no admin endpoint. The client address it passes (X-Forwarded-For) comes from a test header, so that
 * loopback clients can stand for people in Morocco and Algeria.
 */
function caddyConfig(port: number, upstreams: number[]): string {
  return JSON.stringify({
    admin: { disabled: true },
    logging: { logs: { default: { level: 'ERROR' } } },
    apps: {
      http: {
        servers: {
          proxy: {
            listen: [`127.0.0.1:${port}`],
            automatic_https: { disable: true },
            routes: [
              {
                handle: [
                  {
                    handler: 'reverse_proxy',
                    upstreams: upstreams.map((p) => ({ dial: `127.0.0.1:${p}` })),
                    load_balancing: { selection_policy: { policy: 'round_robin' } },
                    headers: { request: { set: { 'X-Forwarded-For': ['{http.request.header.X-Test-Client}'] } } },
                  },
                ],
              },
            ],
          },
        },
      },
    },
  });
}

/** Published days before today: day cells on three Moroccan networks and one Algerian, some under the minimum of 5. */
async function seedPublishedDays(databaseUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
       SELECT current_date - d, n.cc, n.asn, a.app_id, (d + n.asn + a.k) % 9, d % 3, CASE WHEN a.k = 1 AND n.cc = 'MA' THEN 6 ELSE (d + a.k) % 2 END, 0
       FROM generate_series(1, 40) d,
         (VALUES ('MA', 36903), ('MA', 6713), ('MA', 36925), ('DZ', 36947)) n (cc, asn),
         (VALUES (0, 'whatsapp'), (1, 'signal'), (2, 'telegram'), (3, 'zoom')) a (k, app_id)`,
    );
  } finally {
    await db.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: string;
  etag: string | null;
}

async function get(base: string, path: string, client: string, viaProxy: boolean): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    headers: viaProxy ? { 'x-test-client': client } : { 'x-forwarded-for': client },
    signal: AbortSignal.timeout(20_000),
  });
  // Compression makes the tag weak (W/"…"); both forms name the same page.
  return { status: res.status, body: await res.text(), etag: res.headers.get('etag')?.replace(/^W\//, '') ?? null };
}

function lastPublishedDay(): string {
  return new Date(Math.floor((Date.now() - 15 * 60_000) / DAY_MS) * DAY_MS - DAY_MS).toISOString().slice(0, 10);
}

it('two instances behind caddy on one PostgreSQL store every report once and give the same pages', async () => {
  if (server === undefined) throw new Error('PostgreSQL did not start (see the beforeAll error)');
  const databaseUrl = await server.createDatabase();
  const [portA, portB, proxyPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
  // Both at once, as a deployment starts them: the migrations take turns.
  const [a, first] = await Promise.all([startCollector('collector A', portA, databaseUrl), startCollector('collector B', portB, databaseUrl)]);
  await seedPublishedDays(databaseUrl);
  // A rolling restart: B comes back and is asked for a page at once, while it is still loading its geolocation data.
  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  const b = await startCollector('collector B again', portB, databaseUrl);
  const early = await get(`http://127.0.0.1:${portB}`, '/country/MA?lang=en', MOROCCO, false);

  dir = mkdtempSync(join(tmpdir(), 'canicall-caddy-'));
  const config = join(dir, 'caddy.json');
  writeFileSync(config, caddyConfig(proxyPort, [portA, portB]));
  // caddy keeps state under XDG dirs: the test's own, never the machine's.
  const proxy = `http://127.0.0.1:${proxyPort}`;
  await start('caddy', 'caddy', ['run', '--config', config], { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') });
  for (let tries = 0; ; tries++) {
    const up = await fetch(`${proxy}/healthz`).then((res) => res.status, () => 0);
    if (up === 200) break;
    if (tries > 100) throw new Error(`caddy does not answer: ${running.map((r) => r.logs.join('')).join('\n')}`);
    await sleep(100);
  }
  const direct = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];

  const to = lastPublishedDay();
  const from = new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
  const paths: { path: string; client: string }[] = [
    { path: '/?lang=en', client: MOROCCO },
    { path: '/?lang=ar', client: ALGERIA },
    { path: '/country/MA?lang=en', client: MOROCCO },
    { path: '/country/MA?lang=ar', client: ALGERIA },
    { path: '/country/DZ?lang=fr', client: MOROCCO },
    { path: '/v1/stats?cc=MA&days=30', client: MOROCCO },
    { path: '/v1/stats?cc=MA&asn=6713&days=7', client: ALGERIA },
    { path: '/v1/stats?network=mine&days=30', client: MOROCCO },
    { path: '/v1/stats', client: ALGERIA },
    { path: `/v1/aggregates?from=${from}&to=${to}&cc=MA&format=csv`, client: MOROCCO },
    { path: '/v1/aggregates', client: ALGERIA },
  ];
  const answers = new Map<string, Answer[]>();
  const ask = async (round: number) => {
    for (const { path, client } of paths) {
      const got = await Promise.all([
        // Through the proxy twice in a row: round robin sends one to each instance.
        get(proxy, path, client, true),
        get(proxy, path, client, true),
        ...direct.map((base) => get(base, path, client, false)),
      ]);
      answers.set(`${round} ${path}`, got);
    }
  };
  // The first round right after startup, while each instance may still be loading its geolocation data.
  await ask(0);

  // Concurrent reports through the proxy from two countries, each retried with its id until answered 202; then every
  // tenth sent again, directly to both instances at once (a retry whose first answer was lost).
  const accepted: { id: string; client: string }[] = [];
  const statuses = new Map<number, number>();
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const post = async (base: string, body: string, client: string, viaProxy: boolean) => {
    const res = await fetch(`${base}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(viaProxy ? { 'x-test-client': client } : { 'x-forwarded-for': client }) },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res.status;
  };
  const PER_CLIENT = 60;
  const sender = async (n: number) => {
    const client = n % 2 === 0 ? MOROCCO : ALGERIA;
    for (let i = 0; i < PER_CLIENT; i++) {
      const report = sharedReport({ hour });
      const body = JSON.stringify(report);
      for (let tries = 0; (await post(proxy, body, client, true)) !== 202; tries++) {
        if (tries > 20) throw new Error(`no 202 after ${tries} tries: ${JSON.stringify([...statuses])}`);
        await sleep(50);
      }
      accepted.push({ id: report.id, client });
      if (i % 10 === 0) {
        const replays = await Promise.all(direct.map((base) => post(base, body, client, false)));
        expect(replays).toEqual([202, 202]);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, n) => sender(n)));

  await ask(1);
  await ask(2);

  expect([...statuses.keys()]).toEqual([202]);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const stored = await db.query<{ id: string; cc: string; asn: string }>('SELECT id::text AS id, cc, asn::text AS asn FROM reports');
    expect(stored.rows.length).toBe(accepted.length);
    expect(new Set(stored.rows.map((r) => r.id))).toEqual(new Set(accepted.map((r) => r.id)));
    // Today's day counts: each report once, on its own network (whatsapp "works", signal "blocked" in every report).
    const today = await db.query<{ cc: string; asn: string; app_id: string; works: number; blocked: number }>(
      `SELECT cc, asn::text AS asn, app_id, works, blocked FROM day_counts WHERE day = (now() AT TIME ZONE 'UTC')::date ORDER BY cc, app_id`,
    );
    const perCountry = (client: string) => accepted.filter((r) => r.client === client).length;
    expect(today.rows).toEqual([
      { cc: 'DZ', asn: '36947', app_id: 'signal', works: 0, blocked: perCountry(ALGERIA) },
      { cc: 'DZ', asn: '36947', app_id: 'whatsapp', works: perCountry(ALGERIA), blocked: 0 },
      { cc: 'MA', asn: '6713', app_id: 'signal', works: 0, blocked: perCountry(MOROCCO) },
      { cc: 'MA', asn: '6713', app_id: 'whatsapp', works: perCountry(MOROCCO), blocked: 0 },
    ]);
  } finally {
    await db.end();
  }

  // Both instances took reports: caddy spread them, and each logged its own share.
  const reportsLogged = (r: Running) => r.logs.join('').split('\n').filter((line) => line.includes('"method":"POST","path":"/v1/reports"')).length;
  const replays = accepted.length / 10;
  expect(reportsLogged(a)).toBeGreaterThan(accepted.length / 4);
  expect(reportsLogged(b)).toBeGreaterThan(accepted.length / 4);
  expect(reportsLogged(a) + reportsLogged(b)).toBe(accepted.length + 2 * replays);

  // The same bytes and the same tag from the proxy and from each instance, in every round (compared by digest: a page is ~10 KB).
  const digest = (body: string | undefined) => createHash('sha256').update(body ?? '').digest('hex');
  for (const [key, got] of answers) {
    const first = got[0];
    for (const other of got) {
      expect({ key, status: other.status, body: digest(other.body), etag: other.etag }).toEqual({ key, status: 200, body: digest(first?.body), etag: first?.etag });
    }
  }
  for (const { path } of paths) {
    const rounds = [0, 1, 2].map((round) => answers.get(`${round} ${path}`)?.[0]?.body);
    expect(digest(rounds[1]), path).toBe(digest(rounds[0]));
    expect(digest(rounds[2]), path).toBe(digest(rounds[0]));
  }
  // The pages show the seeded networks by name, so they are not empty answers that would match anyway.
  const country = answers.get('2 /country/MA?lang=en')?.[0]?.body ?? '';
  expect(digest(early.body)).toBe(digest(country));
  expect(country).toContain('Itissalat Al-MAGHRIB');
  expect(country).toContain('MEDITELECOM');
  expect(answers.get('2 /v1/stats?network=mine&days=30')?.[0]?.body).toContain('"asn":6713');
}, 180_000);
