// The Store on a SQLite file (better-sqlite3): the one-command self-hosting default.
import { chmodSync, closeSync, mkdirSync, openSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createBatcher } from './batcher';
import { pendingMigrations } from './migrations/migration';
import { sqliteMigrations } from './migrations/sqlite-migrations';
import { sqliteOpenData } from './open-data-store';
import { sqliteRejudger } from './rejudge-store';
import { cellDeltas } from './store';
import type { AppCellSums, CellQuery, CountryCounts, CountryQuery, Readiness, ReportToStore, Store } from './store';

/** Below this much free space the store reports itself not ready: a write may fail with SQLITE_FULL. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;
/** Readiness writes one row; asked more often than this, the last answer is reused. */
const READINESS_CACHE_MS = 1_000;
const MAX_BATCH = 1_000;
const RETENTION_CHUNK = 2_000;

export interface SqliteStoreOptions {
  /** PRAGMA max_page_count: caps the file size (a full database is then reported by readiness). */
  maxPages?: number;
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pendingMigrations(sqliteMigrations, applied)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

/** The file holds where and when people's networks failed: only the collector's own user may read it. */
function createPrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? error.code : error.message.slice(0, 200);
  return String(error);
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  if (file !== ':memory:') createPrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a 202 promises the report is kept, so the commit reaches the disk before the answer goes out.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (options.maxPages !== undefined) db.pragma(`max_page_count = ${Math.trunc(options.maxPages)}`);
  migrate(db);

  const insertReport = db.prepare(
    'INSERT INTO reports (id, hour, received_hour, cc, asn, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const addCell = db.prepare(
    `INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, cc, asn, app_id) DO UPDATE SET works = works + excluded.works, degraded = degraded + excluded.degraded,
       blocked = blocked + excluded.blocked, unknown = unknown + excluded.unknown`,
  );
  const writeBatch = db.transaction((entries: readonly ReportToStore[]): Set<string> => {
    const created = new Set<string>();
    const fresh: ReportToStore[] = [];
    for (const entry of entries) {
      const { report, cc, asn, receivedHour } = entry;
      if (insertReport.run(report.id, report.hour, receivedHour, cc, asn, JSON.stringify(report)).changes === 0) continue;
      created.add(report.id);
      fresh.push(entry);
    }
    for (const c of cellDeltas(fresh)) addCell.run(c.day, c.cc, c.asn, c.appId, c.works, c.degraded, c.blocked, c.unknown);
    return created;
  });

  const batcher = createBatcher({
    write: (entries) => writeBatch.immediate(entries),
    // A constraint is the only error one report can cause on its own; full, read-only and I/O errors fail every report.
    isReportError: (error) => error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_CONSTRAINT'),
    concurrency: 1,
    maxBatch: MAX_BATCH,
  });

  const countReports = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reports');
  const probeInsert = db.prepare('INSERT INTO readiness_probe (id, pad) VALUES (1, zeroblob(65536))');
  const probeDelete = db.prepare('DELETE FROM readiness_probe');
  // Writing (and removing) as much as a batch of reports needs: a read-only file, a full database or a failing disk all fail it.
  const probe = db.transaction(() => {
    probeDelete.run();
    probeInsert.run();
    probeDelete.run();
  });
  const oldReports = db.prepare<[string, number], { id: string }>('SELECT id FROM reports WHERE received_hour < ? LIMIT ?');
  const deleteReport = db.prepare('DELETE FROM reports WHERE id = ?');
  const deleteChunk = db.transaction((ids: readonly { id: string }[]) => {
    for (const { id } of ids) deleteReport.run(id);
  });

  const rolledUntil = db.prepare<[number], { day: string }>('SELECT until_day AS day FROM rolled_up WHERE min_per_cell = ?');
  const rollDays = db.prepare(
    `INSERT OR IGNORE INTO day_totals (min_per_cell, day, cc, app_id, works, degraded, blocked, unknown, small_cells)
     SELECT @min, day, cc, app_id, coalesce(sum(CASE WHEN t >= @min THEN works END), 0),
       coalesce(sum(CASE WHEN t >= @min THEN degraded END), 0), coalesce(sum(CASE WHEN t >= @min THEN blocked END), 0),
       coalesce(sum(CASE WHEN t >= @min THEN unknown END), 0), sum(t < @min)
     FROM (SELECT day, cc, app_id, works, degraded, blocked, unknown, works + degraded + blocked + unknown AS t
           FROM day_counts WHERE day >= @from AND day < @until)
     GROUP BY day, cc, app_id`,
  );
  const markRolled = db.prepare(
    `INSERT INTO rolled_up (min_per_cell, until_day) VALUES (@min, @until)
     ON CONFLICT (min_per_cell) DO UPDATE SET until_day = max(until_day, excluded.until_day)`,
  );
  /** Sums the finished days not summed yet (once per day; the first call on an old file sums its whole history). */
  const rollUp = db.transaction((min: number, until: string) => {
    const from = rolledUntil.get(min)?.day ?? '0000-01-01';
    if (from >= until) return;
    rollDays.run({ min, from, until });
    markRolled.run({ min, until });
  });

  const countryTotals = db.prepare<Record<string, string | number>, CountryCounts>(
    `SELECT cc, sum(works + degraded + blocked + unknown) AS total, sum(works) AS works, sum(degraded) AS degraded,
       sum(blocked) AS blocked, sum(unknown) AS unknown
     FROM day_totals WHERE min_per_cell = @min AND day >= @fromDay AND day < @untilDay AND cc <> 'ZZ'
     GROUP BY cc HAVING sum(works + degraded + blocked + unknown) > 0 ORDER BY cc`,
  );

  let readinessAt = Number.NEGATIVE_INFINITY;
  let lastReadiness: Readiness = { ok: true };
  const checkReadiness = (): Readiness => {
    if (file !== ':memory:') {
      const fs = statfsSync(dirname(file));
      if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return { ok: false, reason: 'database disk is almost full' };
    }
    try {
      probe.immediate();
    } catch (error) {
      return { ok: false, reason: `database is not writable (${errorText(error)})` };
    }
    return { ok: true };
  };

  return {
    ...sqliteRejudger(db),
    ...sqliteOpenData(db),
    insert: (entry) => batcher.insert(entry),
    cellSums(query: CellQuery): Promise<AppCellSums[]> {
      const params = {
        fromDay: query.fromDay,
        untilDay: query.untilDay,
        min: query.minPerCell,
        ...(query.cc === undefined ? {} : { cc: query.cc }),
        ...(query.asn === undefined ? {} : { asn: query.asn }),
        ...(query.appId === undefined ? {} : { appId: query.appId }),
      };
      // Clauses are fixed strings; only their parameters come from the request.
      const clauses = ['day >= @fromDay', 'day < @untilDay'];
      if (query.cc !== undefined) clauses.push('cc = @cc');
      if (query.appId !== undefined) clauses.push('app_id = @appId');
      if (query.asn === undefined) {
        rollUp(query.minPerCell, query.untilDay);
        return Promise.resolve(
          db
            .prepare<Record<string, string | number>, AppCellSums>(
              `SELECT app_id AS appId, sum(works + degraded + blocked + unknown) AS total, sum(works) AS works,
                 sum(degraded) AS degraded, sum(blocked) AS blocked, sum(unknown) AS unknown, sum(small_cells) AS smallCells
               FROM day_totals WHERE min_per_cell = @min AND ${clauses.join(' AND ')} GROUP BY app_id ORDER BY app_id`,
            )
            .all(params),
        );
      }
      clauses.push('asn = @asn');
      const rows = db
        .prepare<Record<string, string | number>, AppCellSums>(
          `SELECT app_id AS appId,
             coalesce(sum(CASE WHEN t >= @min THEN t END), 0) AS total,
             coalesce(sum(CASE WHEN t >= @min THEN works END), 0) AS works,
             coalesce(sum(CASE WHEN t >= @min THEN degraded END), 0) AS degraded,
             coalesce(sum(CASE WHEN t >= @min THEN blocked END), 0) AS blocked,
             coalesce(sum(CASE WHEN t >= @min THEN unknown END), 0) AS unknown,
             sum(t < @min) AS smallCells
           FROM (SELECT app_id, works, degraded, blocked, unknown, works + degraded + blocked + unknown AS t
                 FROM day_counts WHERE ${clauses.join(' AND ')})
           GROUP BY app_id ORDER BY app_id`,
        )
        .all(params);
      return Promise.resolve(rows);
    },
    countrySums(query: CountryQuery): Promise<CountryCounts[]> {
      rollUp(query.minPerCell, query.untilDay);
      return Promise.resolve(countryTotals.all({ min: query.minPerCell, fromDay: query.fromDay, untilDay: query.untilDay }));
    },
    count: () => Promise.resolve(countReports.get()?.n ?? 0),
    readiness() {
      const t = Date.now();
      if (t - readinessAt >= READINESS_CACHE_MS) {
        lastReadiness = checkReadiness();
        readinessAt = t;
      }
      return Promise.resolve(lastReadiness);
    },
    async deleteReportsReceivedBefore(hour: string) {
      let deleted = 0;
      for (;;) {
        const ids = oldReports.all(hour, RETENTION_CHUNK);
        if (ids.length === 0) return deleted;
        deleteChunk(ids);
        deleted += ids.length;
        // Let requests in between chunks: a first run on a large file can have millions of rows to delete.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async close() {
      await batcher.drain();
      db.close();
    },
  };
}
