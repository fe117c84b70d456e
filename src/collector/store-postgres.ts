// The Store on PostgreSQL (pg pool), for deployments that outgrow one SQLite file; rides through database restarts.
import pg from 'pg';
import { createBatcher } from './batcher';
import { pendingMigrations } from './migrations/migration';
import { postgresMigrations } from './migrations/postgres-migrations';
import { postgresOpenData } from './open-data-store';
import { postgresRejudger } from './rejudge-store';
import { addDays, dayOf, ROLL_UP_DAYS, UNKNOWN_ASN, UNKNOWN_CC } from './store';
import type { AppCellSums, CellQuery, CountryCounts, CountryQuery, Readiness, ReportToStore, Store } from './store';

/** Any constant: serialises migrations when several collector instances start at once. */
const MIGRATION_LOCK = 7_245_001;
/** How long the client waits for one migration (migration 6 rewrites the reports table). */
const MIGRATION_TIMEOUT_MS = 6 * 3_600_000;
const MAX_BATCH = 1_000;
const RETENTION_CHUNK = 5_000;
/** How long a failed write for lack of disk space (SQLSTATE class 53) keeps readiness down, unless a write succeeds first. */
const RESOURCE_ERROR_MS = 30_000;

export interface PostgresStoreOptions {
  poolSize?: number;
  /** Waiting for a connection (pool queue included) longer than this fails the request with a 5xx. */
  connectionTimeoutMs?: number;
  /** The server cancels a statement running longer than this. */
  statementTimeoutMs?: number;
}

async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // Releasing with the error discards the connection: it may be the one that broke.
    client.release(failure);
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // A migration that builds an index or rewrites a table runs for minutes on a large database: no statement timeout
    // for this transaction, and the client waits as long (the pool's query timeout would cut it at seconds).
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    for (const migration of pendingMigrations(
      postgresMigrations,
      applied.rows.map((r) => r.version),
    )) {
      await client.query({ text: migration.sql, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}

/**
 * One statement per batch, so one round trip and an implicit transaction: the reports, then the
 * day counts of only those that were new (a replayed id adds nothing), cells locked in key order
 * so that two instances never deadlock on them.
 */
const WRITE_BATCH = `
  WITH new AS (
    INSERT INTO reports (id, hour, received_hour, cc, asn, body)
    SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::bigint[], string_to_array($6::text, E'\\n')::json[])
    ON CONFLICT (id) DO NOTHING
    RETURNING id
  ), added AS (
    INSERT INTO day_counts AS d (day, cc, asn, app_id, works, degraded, blocked, unknown)
    SELECT a.day, a.cc, a.asn, a.app_id,
      count(*) FILTER (WHERE a.verdict = 'works'), count(*) FILTER (WHERE a.verdict = 'degraded'),
      count(*) FILTER (WHERE a.verdict = 'blocked'), count(*) FILTER (WHERE a.verdict = 'unknown')
    FROM unnest($7::uuid[], $8::date[], $9::text[], $10::bigint[], $11::text[], $12::text[])
      AS a (report_id, day, cc, asn, app_id, verdict)
    JOIN new ON new.id = a.report_id
    GROUP BY a.day, a.cc, a.asn, a.app_id
    ORDER BY a.day, a.cc, a.asn, a.app_id
    ON CONFLICT (day, cc, asn, app_id) DO UPDATE SET works = d.works + excluded.works,
      degraded = d.degraded + excluded.degraded, blocked = d.blocked + excluded.blocked, unknown = d.unknown + excluded.unknown
  )
  SELECT id::text AS id FROM new`;

/**
 * The batch as statement parameters. The bodies go as one newline-joined text that the statement splits (JSON text
 * never holds a raw newline): a json[] parameter would have pg escape every 6 KB body into an array literal, which
 * cost the event loop about a tenth of its time (README "Throughput").
 */
function batchParams(entries: readonly ReportToStore[]): unknown[] {
  const reports: unknown[][] = [[], [], [], [], []];
  const bodies: string[] = [];
  const apps: unknown[][] = [[], [], [], [], [], []];
  for (const { report, cc, asn, receivedHour } of entries) {
    for (const [i, value] of [report.id, report.hour, receivedHour, cc, asn].entries()) reports[i]?.push(value);
    bodies.push(JSON.stringify(report));
    if (cc === UNKNOWN_CC || asn === UNKNOWN_ASN) continue;
    const day = dayOf(receivedHour);
    for (const app of report.apps) {
      for (const [i, value] of [report.id, day, cc, asn, app.appId, app.verdict].entries()) apps[i]?.push(value);
    }
  }
  return [...reports, bodies.join('\n'), ...apps];
}

function sqlState(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { poolSize = 10, connectionTimeoutMs = 3_000, statementTimeoutMs = 10_000 } = options;
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectionTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // The client gives up a little after the server should have: a dead server never answers at all.
    query_timeout: statementTimeoutMs + 2_000,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    keepAlive: true,
    application_name: 'canicall-collector',
  });
  // A connection can break while idle in the pool or while checked out between two queries (a
  // database restart does both); either way pg emits 'error', which must never reach the process.
  // The query in progress fails on its own, and the pool replaces the connection.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }

  let resourceErrorAt = Number.NEGATIVE_INFINITY;
  const batcher = createBatcher({
    async write(entries) {
      try {
        const result = await pool.query<{ id: string }>({ name: 'canicall-write-batch', text: WRITE_BATCH, values: batchParams(entries) });
        resourceErrorAt = Number.NEGATIVE_INFINITY;
        return new Set(result.rows.map((r) => r.id));
      } catch (error) {
        if (sqlState(error).startsWith('53')) resourceErrorAt = Date.now();
        throw error;
      }
    },
    // Class 22 (data) and 23 (constraint) come from one report's values; anything else fails them all.
    isReportError: (error) => /^2[23]/.test(sqlState(error)),
    concurrency: 2,
    maxBatch: MAX_BATCH,
  });

  /**
   * Sums the finished days not summed yet, ROLL_UP_DAYS at a time, each chunk one transaction (once per day in
   * service; the first call on an old database sums its whole history). Two instances doing it at once write the
   * same rows; the second adds nothing.
   */
  const rollUpChunk = (min: number, until: string) =>
    inTransaction(pool, async (client) => {
      const state = await client.query<{ day: string }>(
        "SELECT to_char(until_day, 'YYYY-MM-DD') AS day FROM rolled_up WHERE min_per_cell = $1",
        [min],
      );
      let from = state.rows[0]?.day;
      if (from === undefined) {
        const first = await client.query<{ day: string | null }>("SELECT to_char(min(day), 'YYYY-MM-DD') AS day FROM day_counts");
        from = first.rows[0]?.day ?? until;
      }
      if (from >= until) return true;
      const to = addDays(from, ROLL_UP_DAYS) < until ? addDays(from, ROLL_UP_DAYS) : until;
      await client.query(
        `INSERT INTO day_totals (min_per_cell, day, cc, app_id, works, degraded, blocked, unknown, small_cells)
         SELECT $1, day, cc, app_id, coalesce(sum(works) FILTER (WHERE t >= $1), 0), coalesce(sum(degraded) FILTER (WHERE t >= $1), 0),
           coalesce(sum(blocked) FILTER (WHERE t >= $1), 0), coalesce(sum(unknown) FILTER (WHERE t >= $1), 0),
           count(*) FILTER (WHERE t < $1)
         FROM (SELECT day, cc, app_id, works, degraded, blocked, unknown, works + degraded + blocked + unknown AS t
               FROM day_counts WHERE day >= $2::date AND day < $3::date) c
         GROUP BY day, cc, app_id
         ON CONFLICT DO NOTHING`,
        [min, from, to],
      );
      await client.query(
        `INSERT INTO rolled_up (min_per_cell, until_day) VALUES ($1, $2::date)
         ON CONFLICT (min_per_cell) DO UPDATE SET until_day = greatest(rolled_up.until_day, excluded.until_day)`,
        [min, to],
      );
      return to >= until;
    });
  const rollUp = async (min: number, until: string) => {
    while (!(await rollUpChunk(min, until))) {
      // The next chunk starts where this one was recorded to end.
    }
  };

  return {
    ...postgresRejudger(pool, (work) => inTransaction(pool, work)),
    ...postgresOpenData(pool),
    insert: (entry) => batcher.insert(entry),
    async countrySums(query: CountryQuery): Promise<CountryCounts[]> {
      await rollUp(query.minPerCell, query.untilDay);
      const totals = await pool.query<CountryCounts>(
        `SELECT cc, sum(works + degraded + blocked + unknown)::int AS total, sum(works)::int AS works,
           sum(degraded)::int AS degraded, sum(blocked)::int AS blocked, sum(unknown)::int AS unknown
         FROM day_totals WHERE min_per_cell = $1 AND day >= $2::date AND day < $3::date AND cc <> 'ZZ'
         GROUP BY cc HAVING sum(works + degraded + blocked + unknown) > 0 ORDER BY cc COLLATE "C"`,
        [query.minPerCell, query.fromDay, query.untilDay],
      );
      return totals.rows;
    },
    async cellSums(query: CellQuery): Promise<AppCellSums[]> {
      const params: (string | number)[] = [query.fromDay, query.untilDay, query.minPerCell];
      // Clauses are fixed strings; only their parameters come from the request.
      const clauses = ['day >= $1::date', 'day < $2::date'];
      if (query.cc !== undefined) clauses.push(`cc = $${params.push(query.cc)}`);
      if (query.appId !== undefined) clauses.push(`app_id = $${params.push(query.appId)}`);
      if (query.asn === undefined) {
        await rollUp(query.minPerCell, query.untilDay);
        const totals = await pool.query<AppCellSums>(
          `SELECT app_id AS "appId", sum(works + degraded + blocked + unknown)::int AS total, sum(works)::int AS works,
             sum(degraded)::int AS degraded, sum(blocked)::int AS blocked, sum(unknown)::int AS unknown,
             sum(small_cells)::int AS "smallCells"
           FROM day_totals WHERE min_per_cell = $3 AND ${clauses.join(' AND ')}
           GROUP BY app_id ORDER BY app_id COLLATE "C"`,
          params,
        );
        return totals.rows;
      }
      clauses.push(`asn = $${params.push(query.asn)}`);
      const result = await pool.query<AppCellSums>(
        `SELECT app_id AS "appId",
           coalesce(sum(t) FILTER (WHERE t >= $3), 0)::int AS total,
           coalesce(sum(works) FILTER (WHERE t >= $3), 0)::int AS works,
           coalesce(sum(degraded) FILTER (WHERE t >= $3), 0)::int AS degraded,
           coalesce(sum(blocked) FILTER (WHERE t >= $3), 0)::int AS blocked,
           coalesce(sum(unknown) FILTER (WHERE t >= $3), 0)::int AS unknown,
           (count(*) FILTER (WHERE t < $3))::int AS "smallCells"
         FROM (SELECT app_id, works, degraded, blocked, unknown, works + degraded + blocked + unknown AS t
               FROM day_counts WHERE ${clauses.join(' AND ')}) c
         GROUP BY app_id ORDER BY app_id COLLATE "C"`,
        params,
      );
      return result.rows;
    },
    async count() {
      const result = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reports');
      return result.rows[0]?.n ?? 0;
    },
    async readiness(): Promise<Readiness> {
      try {
        const result = await pool.query<{ ro: string }>({
          text: "SELECT current_setting('transaction_read_only') AS ro",
          query_timeout: 2_000,
        } as pg.QueryConfig);
        if (result.rows[0]?.ro === 'on') return { ok: false, reason: 'database is read-only' };
      } catch (error) {
        return { ok: false, reason: `database is unreachable (${sqlState(error) || (error instanceof Error ? error.message.slice(0, 120) : 'error')})` };
      }
      if (Date.now() - resourceErrorAt < RESOURCE_ERROR_MS) return { ok: false, reason: 'database is out of disk space or memory' };
      return { ok: true };
    },
    async deleteReportsReceivedBefore(hour: string) {
      let deleted = 0;
      for (;;) {
        const result = await pool.query(
          'DELETE FROM reports WHERE id IN (SELECT id FROM reports WHERE received_hour < $1::timestamptz LIMIT $2)',
          [hour, RETENTION_CHUNK],
        );
        deleted += result.rowCount ?? 0;
        if ((result.rowCount ?? 0) < RETENTION_CHUNK) return deleted;
      }
    },
    async close() {
      await batcher.drain();
      await pool.end();
    },
  };
}
