// Runs the real collector process on a real PostgreSQL, crashes and restarts the database under load: the collector stays up, answers 503 while it is down, recovers by itself, and every 202 is stored.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../tools/free-port';
import { sharedReport } from './fixtures';
import { startPostgres } from '../../tools/postgres';
import type { TestPostgres } from '../../tools/postgres';

let server: TestPostgres | undefined;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

function report() {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  return sharedReport({ hour });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('rides through a PostgreSQL crash and restart under load, with accepted == stored', async () => {
  if (server === undefined) throw new Error('PostgreSQL did not start (see the beforeAll error)');
  const db = server;
  const url = await db.createDatabase();
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/collector/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, RATE_LIMIT: 'off', CATALOG_SIGNING_KEY: '', CIC_LOCAL_RELAY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      logs.push(chunk);
      if (logs.join('').includes('"msg":"listening"')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
    void exited.then(() => reject(new Error(`collector exited (${exitCode}) before listening: ${logs.join('')}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  const accepted: string[] = [];
  const statuses = new Map<number, number>();
  let stop = false;
  // Like the extension: a report that was not answered 202 is sent again with the same id until it is.
  // A 503 may come after a commit whose answer was lost; the retry then finds the id and stores nothing.
  const client = async () => {
    while (!stop) {
      const r = report();
      for (;;) {
        try {
          const res = await fetch(`${base}/v1/reports`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(r),
            signal: AbortSignal.timeout(20_000),
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 202) break;
        } catch {
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
        }
        await sleep(50);
      }
      accepted.push(r.id);
    }
  };
  const readiness = async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;

  try {
    const load = Promise.all(Array.from({ length: 8 }, client));
    while (accepted.length < 200) await sleep(10);
    expect(await readiness()).toBe(200);

    db.crash();
    const acceptedAtCrash = accepted.length;
    const readyWhileDown: number[] = [];
    for (let i = 0; i < 4; i++) {
      await sleep(500);
      readyWhileDown.push(await readiness());
    }
    db.start();

    // Recovery needs nothing from anyone: new connections replace the broken ones.
    const deadline = Date.now() + 30_000;
    while (accepted.length < acceptedAtCrash + 300 && Date.now() < deadline) await sleep(20);
    stop = true;
    await load;

    expect(exitCode, logs.join('')).toBeUndefined();
    expect(readyWhileDown.every((s) => s === 503)).toBe(true);
    expect(await readiness()).toBe(200);
    expect(accepted.length).toBeGreaterThanOrEqual(acceptedAtCrash + 300);
    // While the database was down the answer was a retryable 503, never a crash or a hang.
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].sort()).toEqual([202, 503]);

    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const stored = await check.query<{ id: string }>('SELECT id::text AS id FROM reports');
      const ids = new Set(stored.rows.map((row) => row.id));
      expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
      expect(ids.size).toBe(accepted.length);
    } finally {
      await check.end();
    }
  } finally {
    stop = true;
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      await exited;
    }
  }
  expect(exitCode).toBe(0);
}, 120_000);
