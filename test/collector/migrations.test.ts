// Migration ordering, and refusal to run on a database migrated by a newer collector.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pendingMigrations } from '../../src/collector/migrations/migration';
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
});
