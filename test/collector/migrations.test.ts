// Migration ordering, and refusal to run on a database migrated by a newer collector.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pendingMigrations } from '../../src/collector/migrations/migration';
import { sqliteMigrations } from '../../src/collector/migrations/sqlite-migrations';
import { openSqliteStore } from '../../src/collector/store-sqlite';

const dir = mkdtempSync(join(tmpdir(), 'canicall-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  const known = [
    { version: 2, name: 'b', sql: '' },
    { version: 1, name: 'a', sql: '' },
  ];

  it('returns the missing ones in version order', () => {
    expect(pendingMigrations(known, []).map((m) => m.version)).toEqual([1, 2]);
    expect(pendingMigrations(known, [1]).map((m) => m.version)).toEqual([2]);
    expect(pendingMigrations(known, [1, 2])).toEqual([]);
  });

  it('refuses a database that a newer collector migrated', () => {
    expect(() => pendingMigrations(known, [1, 2, 3])).toThrow(/schema version 3 is newer than this collector \(2\)/);
  });

  it('refuses to open such a SQLite file and leaves it untouched', async () => {
    const file = join(dir, 'newer.db');
    await openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this collector/);
  });

  it('moves a version-1 file to day counts: per receipt day, network and app, unknown networks left out', async () => {
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    db.exec(sqliteMigrations[0]?.sql ?? '');
    db.prepare("INSERT INTO schema_migrations VALUES (1, 'v1', 'x')").run();
    const report = db.prepare('INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?)');
    const verdict = db.prepare('INSERT INTO app_verdicts VALUES (?, ?, ?, ?, ?, ?)');
    const rows: [string, string, string, number, string][] = [
      ['a', '2026-06-18T23:00:00Z', 'MA', 36903, 'works'],
      ['b', '2026-06-18T01:00:00Z', 'MA', 36903, 'blocked'],
      ['c', '2026-06-19T00:00:00Z', 'MA', 36903, 'works'],
      ['d', '2026-06-18T05:00:00Z', 'ZZ', 0, 'works'],
    ];
    for (const [id, received, cc, asn, v] of rows) {
      report.run(id, '2026-06-18T00:00:00Z', received, cc, asn, '{}');
      verdict.run(id, 'signal', v, '2026-06-18T00:00:00Z', cc, asn);
    }
    db.close();

    const store = openSqliteStore(file);
    expect(await store.cellSums({ fromDay: '2026-06-18', untilDay: '2026-06-20', minPerCell: 1 })).toEqual([
      { appId: 'signal', total: 3, works: 2, degraded: 0, blocked: 1, unknown: 0, smallCells: 0 },
    ]);
    expect(await store.cellSums({ fromDay: '2026-06-19', untilDay: '2026-06-20', minPerCell: 1 })).toMatchObject([{ total: 1 }]);
    expect(await store.count()).toBe(4);
    await store.close();
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'app_verdicts'").get()).toEqual({ n: 0 });
    after.close();
  });
});
