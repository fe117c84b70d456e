// Runs the collector API suite on a real PostgreSQL server started for this file; missing binaries fail the run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { openPostgresStore } from '../../src/collector/store-postgres';
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
