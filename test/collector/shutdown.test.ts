// Runs the real collector process on loopback and checks that SIGTERM loses no report it answered 202 for.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../tools/free-port';
import { reportThisHour, startCollectorProcess } from './collector-process';

const dir = mkdtempSync(join(tmpdir(), 'canicall-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('finishes in-flight requests on SIGTERM and every 202 is in the database', async () => {
  const port = await freeLoopbackPort();
  const { child, base, logs, exited } = await startCollectorProcess(port, dir);

  // A request whose body is still arriving when the signal comes: it is in flight and must complete.
  const slow = reportThisHour();
  const slowBody = Buffer.from(JSON.stringify(slow));
  const slowRequest = request(`${base}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(slowBody.length) },
  });
  const slowAnswer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    slowRequest.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    slowRequest.on('error', reject);
  });
  slowRequest.write(slowBody.subarray(0, 100));

  // Steady load from 8 clients until the server stops answering.
  const accepted: string[] = [];
  let sent = 0;
  const client = async () => {
    while (sent < 5_000) {
      sent += 1;
      const r = reportThisHour();
      try {
        const res = await fetch(`${base}/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(r),
        });
        if (res.status === 202) accepted.push(r.id);
        else throw new Error(`unexpected ${res.status}`);
      } catch {
        return;
      }
    }
  };
  const clients = Promise.all(Array.from({ length: 8 }, client));
  while (accepted.length < 50) await new Promise((r) => setTimeout(r, 10));

  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  slowRequest.end(slowBody.subarray(100));

  expect(await slowAnswer).toEqual({ status: 202, body: JSON.stringify({ id: slow.id }) });
  await clients;
  expect((await exited).code).toBe(0);
  expect(logs.join('')).toContain('"msg":"stopped"');

  const db = new Database(join(dir, 'collector.db'), { readonly: true });
  const stored = new Set(db.prepare<[], { id: string }>('SELECT id FROM reports').all().map((row) => row.id));
  db.close();
  expect(accepted.length).toBeGreaterThanOrEqual(50);
  expect(accepted.filter((id) => !stored.has(id))).toEqual([]);
  expect(stored.has(slow.id)).toBe(true);
});
