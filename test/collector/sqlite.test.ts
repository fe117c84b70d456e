// Runs the collector API suite on SQLite files in a temp dir, plus what only a file can show: its mode, a full database, and a body edited in place.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import { createJsonLogger } from '../../src/collector/logger';
import { appsOfWire, wireVerdicts } from '../../src/collector/sqlite-writer';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import { rejudge } from '../../src/core/rejudge';
import { ENGINE_VERSION, judge } from '../../src/core/verdict';
import { describeCollectorApi } from './api-suite';
import { catalog, geo, HOUR, sharedReport } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'canicall-sqlite-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every string in the file, with the JSON bodies opened up, and every number inside a body. */
function dump(file: string): Promise<{ strings: string[]; bodyNumbers: number[] }> {
  const db = new Database(file, { readonly: true });
  try {
    const strings: string[] = [];
    const bodyNumbers: number[] = [];
    const walk = (value: unknown) => {
      if (typeof value === 'string') strings.push(value);
      else if (typeof value === 'number') bodyNumbers.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) {
          strings.push(key);
          walk(item);
        }
      }
    };
    // schema_migrations holds only the collector's own migration log.
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations'").all();
    for (const { name } of tables) {
      for (const row of db.prepare<[], Record<string, unknown>>(`SELECT * FROM "${name}"`).all()) {
        for (const [column, value] of Object.entries(row)) {
          if (column === 'body' && typeof value === 'string') walk(JSON.parse(value));
          else if (typeof value === 'string') strings.push(value);
        }
      }
    }
    return Promise.resolve({ strings, bodyNumbers });
  } finally {
    db.close();
  }
}

describeCollectorApi({
  name: 'SQLite',
  newLocation: () => Promise.resolve(join(dir, `collector-${++counter}.db`)),
  open: (file) => Promise.resolve(openSqliteStore(file)),
  dump,
});

it("passes the apps' verdicts to the writer thread as one string and reads back the same list, refusing a line it cannot have written", () => {
  const apps = [
    { appId: 'whatsapp', verdict: 'works' as const },
    { appId: 'meet.google', verdict: 'blocked' as const },
    { appId: 'x-1', verdict: 'unknown' as const },
  ];
  expect(appsOfWire(wireVerdicts(apps))).toEqual(apps);
  expect(appsOfWire(wireVerdicts([]))).toEqual([]);
  expect(() => appsOfWire('whatsapp maybe')).toThrow(/not an app verdict line/);
  expect(() => appsOfWire(' works')).toThrow(/not an app verdict line/);
});

it('creates the database file readable by its owner only', async () => {
  const file = join(dir, 'private', 'collector.db');
  const store = openSqliteStore(file);
  await store.close();
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700);
});

it('says it is not ready once the database is full, and answers reports with 503', async () => {
  const file = join(dir, 'full.db');
  // A size cap stands in for a full disk: SQLite answers SQLITE_FULL either way.
  const store = openSqliteStore(file, { maxPages: 40 });
  const app = createApp({ store, geo, rateLimit: null, logger: createJsonLogger(() => undefined), catalog });
  const send = (report: object) =>
    Promise.resolve(
      app.request(
        '/v1/reports',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) },
        { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
      ),
    );
  expect((await Promise.resolve(app.request('/readyz'))).status).toBe(200);
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  let status = 202;
  for (let i = 0; i < 500 && status === 202; i++) status = (await send(sharedReport({ hour }))).status;
  expect(status).toBe(503);
  // Readiness caches its probe for a second.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const ready = await Promise.resolve(app.request('/readyz'));
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ status: 'unavailable', database: expect.stringMatching(/not writable \(SQLITE_FULL\)/) });
  await store.close();
});

it('leaves a stored report holding a retired reason code (APP_RETIRED) as stored: judged again never, published as it is', async () => {
  const file = join(dir, 'retired.db');
  const store = openSqliteStore(file);
  const evidence = { engine: ENGINE_VERSION, dns: [], natAnswered: ['stun-control-1'] };
  const kept = sharedReport({ evidence });
  await store.insert({ report: sharedReport({ evidence }), cc: 'MA', asn: 36903, receivedHour: HOUR });
  await store.insert({ report: kept, cc: 'MA', asn: 36903, receivedHour: HOUR });
  // Only a hand-made report could carry it: the code was in the schema, never emitted, and the schema no longer has it.
  const raw = new Database(file);
  raw.prepare(`UPDATE reports SET body = json_set(body, '$.apps[1].reasons', json('["APP_RETIRED"]')) WHERE id = ?`).run(kept.id);
  raw.close();

  const next = ENGINE_VERSION + 1;
  const result = await store.rejudgeAll(next, (r) => rejudge(catalog, r, { version: next, judge }));
  expect(result).toMatchObject({ scanned: 2, rejudged: 1 });
  const stored = (await store.reportsReceivedIn(HOUR)).find((r) => r.body.id === kept.id);
  expect(stored?.body.apps[1]?.reasons).toEqual(['APP_RETIRED']);
  expect(stored?.body.evidence?.engine).toBe(ENGINE_VERSION);
  await store.close();
});
