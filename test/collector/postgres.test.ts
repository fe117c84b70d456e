// Runs the collector API suite on a real PostgreSQL server started for this file; missing binaries fail the run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { postgresMigrations } from '../../src/collector/migrations/postgres-migrations';
import { openPostgresStore } from '../../src/collector/store-postgres';
import { sharedReport } from './fixtures';
import { describeCollectorApi } from './api-suite';
import { startPostgres } from '../../tools/postgres';
import type { TestPostgres } from '../../tools/postgres';

let server: TestPostgres | undefined;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/** Every string in the database (timestamps as PostgreSQL prints them), with the JSON bodies opened up, and every number in a body. */
async function dump(url: string): Promise<{ strings: string[]; bodyNumbers: number[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
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
    const tables = await client.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'");
    for (const { name } of tables.rows) {
      // Every column as text (timestamps in the server's own format), except bodies, which are walked as JSON.
      const result = await client.query<Record<string, unknown>>(`SELECT row_to_json(t) AS row FROM "${name}" t`);
      for (const { row } of result.rows) {
        for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
          if (column === 'body') walk(value);
          else if (typeof value === 'string') strings.push(value);
        }
      }
    }
    return { strings, bodyNumbers };
  } finally {
    await client.end();
  }
}

function requireServer(): TestPostgres {
  if (server === undefined) throw new Error('PostgreSQL did not start (see the beforeAll error)');
  return server;
}

describeCollectorApi({
  name: 'PostgreSQL',
  newLocation: () => requireServer().createDatabase(),
  open: (url) => openPostgresStore(url),
  dump,
});

it('says it is not ready when the database turns read-only, and ready again when it is writable', async () => {
  const url = await requireServer().createDatabase();
  const store = await openPostgresStore(url);
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    expect(await store.readiness()).toEqual({ ok: true });
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    // The first query after the terminations may meet a dead connection; the pool replaces it.
    await store.readiness();
    expect(await store.readiness()).toEqual({ ok: false, reason: 'database is read-only' });
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = off`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await store.readiness();
    expect(await store.readiness()).toEqual({ ok: true });
  } finally {
    await admin.end();
    await store.close();
  }
});

it('turns jsonb bodies stored before migration 6 into json text, lz4-compressed, and reads them back the same', async () => {
  const url = await requireServer().createDatabase();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const before = sharedReport();
  try {
    // A database as migration 5 left it, with one report whose body is jsonb.
    await admin.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const migration of postgresMigrations.filter((m) => m.version <= 5)) {
      await admin.query(migration.sql);
      await admin.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await admin.query("INSERT INTO reports (id, hour, received_hour, cc, asn, body) VALUES ($1, $2, $2, 'MA', 36903, $3::jsonb)", [
      before.id,
      before.hour,
      JSON.stringify(before),
    ]);
    const store = await openPostgresStore(url);
    const after = sharedReport({ hour: before.hour });
    try {
      expect(await store.insert({ report: after, cc: 'MA', asn: 36903, receivedHour: before.hour })).toBe('created');
      expect((await store.reportsReceivedIn(before.hour)).map((r) => r.body)).toEqual(
        [before, after].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
    } finally {
      await store.close();
    }
    const column = await admin.query<{ type: string; compression: string }>(
      "SELECT atttypid::regtype::text AS type, attcompression AS compression FROM pg_attribute WHERE attrelid = 'reports'::regclass AND attname = 'body'",
    );
    expect(column.rows).toEqual([{ type: 'json', compression: 'l' }]);
    // The new report's body is the collector's own text, as written (SQLite stores the same).
    const text = await admin.query<{ body: string }>('SELECT body::text AS body FROM reports WHERE id = $1', [after.id]);
    expect(text.rows[0]?.body).toBe(JSON.stringify(after));
  } finally {
    await admin.end();
  }
});
