// The Store on a SQLite file (better-sqlite3): the one-command self-hosting default.
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createBatcher } from './batcher';
import { pendingMigrations } from './migrations/migration';
import { sqliteMigrations } from './migrations/sqlite-migrations';
import { sqliteOpenData } from './open-data-store';
import { sqliteRejudger } from './rejudge-store';
import { configureConnection, wireVerdicts } from './sqlite-writer';
import type { SqliteSynchronous, WireReport, WriterConfig, WriterRequest, WriterResponse } from './sqlite-writer';
import { addDays, ROLL_UP_DAYS, StoreUnavailableError } from './store';
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
  /** When a commit is on disk (sqlite-writer.ts); `full` unless said. */
  synchronous?: SqliteSynchronous;
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

function errorCodeOrText(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? error.code : error.message.slice(0, 200);
  return String(error);
}

/** The writer thread's module; under tsx (the collector's own runner) the thread registers tsx before loading it. */
const WRITER_URL = new URL(`./sqlite-writer${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

function startWriter(config: WriterConfig): Worker {
  if (!WRITER_URL.pathname.endsWith('.ts')) return new Worker(WRITER_URL, { workerData: { sqliteWriter: config } });
  // Worker execArgv cannot carry --import on Node 20, so the thread registers tsx itself, from its ES module build.
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = exports['./esm/api']?.import.default;
  if (api === undefined) throw new Error('tsx has no ES module API to load the SQLite writer with');
  const tsx = pathToFileURL(join(dirname(manifest), api)).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(WRITER_URL.href)}); });`;
  return new Worker(boot, { eval: true, workerData: { sqliteWriter: config } });
}

/** An error from the writer thread, with SQLite's code so that a constraint (one report's fault) is told from a full disk. */
class SqliteWriteError extends Error {
  override name = 'SqliteError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The writer thread, started with the store (its start-up, about a third of a second under tsx, held the first reports
 * when it waited for the first one) and again after it dies: each batch is one message and one answer, sent after the
 * commit (a crash rejects the batches in flight; nothing was promised). It keeps the process alive only while a batch
 * is in flight, as the connection it replaced did.
 */
function createWriter(config: WriterConfig) {
  let worker: Worker | undefined;
  let seq = 0;
  const waiting = new Map<number, { resolve: (created: ReadonlySet<string>) => void; reject: (error: unknown) => void }>();
  const failAll = (error: unknown) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const running = (): Worker => {
    if (worker !== undefined) return worker;
    const started = startWriter(config);
    started.unref();
    started.on('message', (response: WriterResponse) => {
      const w = waiting.get(response.seq);
      waiting.delete(response.seq);
      if (waiting.size === 0) started.unref();
      if (response.ok) w?.resolve(new Set(response.created));
      else w?.reject(new SqliteWriteError(response.code, response.message));
    });
    started.on('error', (error) => failAll(new StoreUnavailableError(`the SQLite writer failed: ${error.message.slice(0, 200)}`)));
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      failAll(new StoreUnavailableError('the SQLite writer stopped'));
    });
    worker = started;
    return started;
  };
  return {
    start(): void {
      running();
    },
    write(reports: WireReport[]): Promise<ReadonlySet<string>> {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        const w = running();
        w.ref();
        w.postMessage({ kind: 'write', seq: id, reports } satisfies WriterRequest);
      });
    },
    async close(): Promise<void> {
      const w = worker;
      if (w === undefined) return;
      worker = undefined;
      const exited = new Promise((resolve) => w.once('exit', resolve));
      // Referenced until it exits: waiting for an unreferenced thread would let the process end first.
      w.ref();
      w.postMessage({ kind: 'close' } satisfies WriterRequest);
      await exited;
    },
  };
}

function toWire({ report, cc, asn, receivedHour }: ReportToStore): WireReport {
  return {
    id: report.id,
    hour: report.hour,
    receivedHour,
    cc,
    asn,
    body: JSON.stringify(report),
    verdicts: wireVerdicts(report.apps),
  };
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  // Reports are written by a second connection in another thread: an in-memory database would be a different one there.
  if (file === ':memory:') throw new Error('the SQLite store needs a file (an in-memory database cannot be shared with its writer thread)');
  createPrivateFile(file);
  const synchronous = options.synchronous ?? 'full';
  const db = new Database(file);
  configureConnection(db, options.maxPages, synchronous);
  migrate(db);

  const writer = createWriter({ file, synchronous, ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }) });
  writer.start();
  const batcher = createBatcher({
    write: (entries) => writer.write(entries.map(toWire)),
    // A constraint is the only error one report can cause on its own; full, read-only and I/O errors fail every report.
    isReportError: (error) => error instanceof SqliteWriteError && error.code.startsWith('SQLITE_CONSTRAINT'),
    // The next batch is posted while one commits: the writer thread takes them in turn, one transaction each, and no
    // longer waits between batches for the event loop to read its answer and post again (8-14 % more reports/s).
    concurrency: 2,
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
  const firstDay = db.prepare<[], { day: string | null }>('SELECT min(day) AS day FROM day_counts');
  /** One chunk of ROLL_UP_DAYS days not summed yet, in a transaction; true when none is left before `until`. */
  const rollUpChunk = db.transaction((min: number, until: string): boolean => {
    const from = rolledUntil.get(min)?.day ?? firstDay.get()?.day ?? until;
    if (from >= until) return true;
    const to = addDays(from, ROLL_UP_DAYS) < until ? addDays(from, ROLL_UP_DAYS) : until;
    rollDays.run({ min, from, until: to });
    markRolled.run({ min, until: to });
    return to >= until;
  });
  /**
   * Sums the finished days not summed yet (once per day; the first call on an old file sums its whole history),
   * letting other requests run between chunks: the whole history at once held the event loop for seconds.
   */
  const rollUp = async (min: number, until: string) => {
    while (!rollUpChunk.immediate(min, until)) await new Promise((resolve) => setImmediate(resolve));
  };

  const countryTotals = db.prepare<Record<string, string | number>, CountryCounts>(
    `SELECT cc, sum(works + degraded + blocked + unknown) AS total, sum(works) AS works, sum(degraded) AS degraded,
       sum(blocked) AS blocked, sum(unknown) AS unknown
     FROM day_totals WHERE min_per_cell = @min AND day >= @fromDay AND day < @untilDay AND cc <> 'ZZ'
     GROUP BY cc HAVING sum(works + degraded + blocked + unknown) > 0 ORDER BY cc`,
  );

  let readinessAt = Number.NEGATIVE_INFINITY;
  let lastReadiness: Readiness = { ok: true };
  const checkReadiness = (): Readiness => {
    const fs = statfsSync(dirname(file));
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return { ok: false, reason: 'database disk is almost full' };
    try {
      probe.immediate();
    } catch (error) {
      return { ok: false, reason: `database is not writable (${errorCodeOrText(error)})` };
    }
    return { ok: true };
  };

  return {
    ...sqliteRejudger(db),
    ...sqliteOpenData(db),
    insert: (entry) => batcher.insert(entry),
    async cellSums(query: CellQuery): Promise<AppCellSums[]> {
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
        await rollUp(query.minPerCell, query.untilDay);
        return db
          .prepare<Record<string, string | number>, AppCellSums>(
            `SELECT app_id AS appId, sum(works + degraded + blocked + unknown) AS total, sum(works) AS works,
               sum(degraded) AS degraded, sum(blocked) AS blocked, sum(unknown) AS unknown, sum(small_cells) AS smallCells
             FROM day_totals WHERE min_per_cell = @min AND ${clauses.join(' AND ')} GROUP BY app_id ORDER BY app_id`,
          )
          .all(params);
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
      return rows;
    },
    async countrySums(query: CountryQuery): Promise<CountryCounts[]> {
      await rollUp(query.minPerCell, query.untilDay);
      return countryTotals.all({ min: query.minPerCell, fromDay: query.fromDay, untilDay: query.untilDay });
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
      await writer.close();
      db.close();
    },
  };
}
