// Kills the real collector process (SIGKILL) under load on SQLite, with each synchronous setting: every report answered 202 is in the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../tools/free-port';
import { reportThisHour, startCollectorProcess } from './collector-process';

const dir = mkdtempSync(join(tmpdir(), 'canicall-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(['full', 'normal'])('loses no report it answered 202 for when killed with SIGKILL under load (SQLITE_SYNCHRONOUS=%s)', async (synchronous) => {
  const dataDir = join(dir, synchronous);
  const port = await freeLoopbackPort();
  const { child, base, logs, exited } = await startCollectorProcess(port, dataDir, { SQLITE_SYNCHRONOUS: synchronous });
  expect(logs.join('')).toContain(`"synchronous":"${synchronous}"`);

  // 16 clients until the connection breaks: at the kill, batches are being committed and answers are on their way.
  const accepted: string[] = [];
  const client = async () => {
    for (;;) {
      const r = reportThisHour();
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
  expect((await exited).signal).toBe('SIGKILL');
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
