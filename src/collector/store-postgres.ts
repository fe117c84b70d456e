// The Store on PostgreSQL (pg pool), for deployments that outgrow one SQLite file.
import pg from 'pg';
import { pendingMigrations } from './migrations/migration';
import { postgresMigrations } from './migrations/postgres-migrations';
import { UNKNOWN_ASN, UNKNOWN_CC } from './store';
import type { AppCounts, ReportToStore, StatsQuery, Store } from './store';

/** Any constant: serialises migrations when several collector instances start at once. */
const MIGRATION_LOCK = 7_245_001;

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    for (const migration of pendingMigrations(
      postgresMigrations,
      applied.rows.map((r) => r.version),
    )) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}

export async function openPostgresStore(connectionString: string, poolSize = 10): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }

  return {
    insert: (entry: ReportToStore) =>
      inTransaction(pool, async (client) => {
        const { report, cc, asn, receivedHour } = entry;
        const inserted = await client.query(
          `INSERT INTO reports (id, hour, received_hour, cc, asn, body) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO NOTHING`,
          [report.id, report.hour, receivedHour, cc, asn, JSON.stringify(report)],
        );
        if (inserted.rowCount === 0) return 'duplicate';
        if (report.apps.length > 0) {
          // One statement for all apps: unnest keeps the round trips at two per report.
          await client.query(
            `INSERT INTO app_verdicts (report_id, app_id, verdict, hour, cc, asn)
             SELECT $1, app_id, verdict, $2, $3, $4 FROM unnest($5::text[], $6::text[]) AS t (app_id, verdict)`,
            [report.id, report.hour, cc, asn, report.apps.map((a) => a.appId), report.apps.map((a) => a.verdict)],
          );
        }
        return 'created';
      }),
    async appCounts(query: StatsQuery): Promise<AppCounts[]> {
      const params: (string | number)[] = [query.since, UNKNOWN_CC, UNKNOWN_ASN];
      // Clauses are fixed strings; only their parameters come from the request.
      const clauses = ['hour >= $1::timestamptz', 'cc <> $2', 'asn <> $3'];
      if (query.cc !== undefined) clauses.push(`cc = $${params.push(query.cc)}`);
      if (query.asn !== undefined) clauses.push(`asn = $${params.push(query.asn)}`);
      if (query.appId !== undefined) clauses.push(`app_id = $${params.push(query.appId)}`);
      const result = await pool.query<AppCounts>(
        `SELECT app_id AS "appId", count(*)::int AS total,
           (count(*) FILTER (WHERE verdict = 'works'))::int AS works,
           (count(*) FILTER (WHERE verdict = 'degraded'))::int AS degraded,
           (count(*) FILTER (WHERE verdict = 'blocked'))::int AS blocked,
           (count(*) FILTER (WHERE verdict = 'unknown'))::int AS unknown
         FROM app_verdicts WHERE ${clauses.join(' AND ')} GROUP BY app_id ORDER BY app_id COLLATE "C"`,
        params,
      );
      return result.rows;
    },
    async count() {
      const result = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reports');
      return result.rows[0]?.n ?? 0;
    },
    close: () => pool.end(),
  };
}
