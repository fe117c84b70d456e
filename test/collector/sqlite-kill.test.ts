// Kills the real collector process (SIGKILL) under load on SQLite, with each synchronous setting: every report answered 202 is in the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../tools/free-port';
import { sharedReport } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'canicall-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reports carry the current hour: the real process uses the real clock. */
function report() {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  return sharedReport({ hour });
}

it.each(['full', 'normal'])('loses no report it answered 202 for when killed with SIGKILL under load (SQLITE_SYNCHRONOUS=%s)', async (synchronous) => {
  const dataDir = join(dir, synchronous);
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/collector/main.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SQLITE_SYNCHRONOUS: synchronous,
      RATE_LIMIT: 'off',
      CATALOG_PATH: join(dir, 'no-catalog.json'),
      CATALOG_SIGNING_KEY: '',
      CIC_LOCAL_RELAY: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      logs.push(chunk);
      if (logs.join('').includes('"msg":"listening"')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
    void exited.then((signal) => reject(new Error(`collector exited (${signal}) before listening: ${logs.join('')}`)));
  });
  expect(logs.join('')).toContain(`"synchronous":"${synchronous}"`);
  const base = `http://127.0.0.1:${port}`;

  // 16 clients until the connection breaks: at the kill, batches are being committed and answers are on their way.
  const accepted: string[] = [];
  const client = async () => {
    for (;;) {
      const r = report();
      try {
        const res = await fetch(`${base}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`unexpected ${res.status}`);
        accepted.push(r.id);
      } catch {
        return;
      }
    }
  };
  const clients = Promise.all(Array.from({ length: 16 }, client));
  while (accepted.length < 500) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  await clients;

  // Opening the file recovers its write-ahead log, as the next start of the collector would.
  const db = new Database(join(dataDir, 'collector.db'));
  const stored = new Set(db.prepare<[], { id: string }>('SELECT id FROM reports').all().map((row) => row.id));
  const journalMode = db.pragma('journal_mode', { simple: true });
  db.close();
  expect(journalMode).toBe('wal');
  expect(accepted.length).toBeGreaterThanOrEqual(500);
  expect(accepted.filter((id) => !stored.has(id))).toEqual([]);
}, 60_000);
