// The Store on a SQLite file (better-sqlite3): the one-command self-hosting default.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { pendingMigrations } from './migrations/migration';
import { sqliteMigrations } from './migrations/sqlite-migrations';
import { UNKNOWN_ASN, UNKNOWN_CC } from './store';
import type { AppCounts, ReportToStore, StatsQuery, Store } from './store';

type InsertResult = 'created' | 'duplicate';

interface CountsRow {
  appId: string;
  total: number;
  works: number;
  degraded: number;
  blocked: number;
  unknown: number;
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

export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: a 202 promises the report is kept, so the commit reaches the disk before the answer goes out.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insertReport = db.prepare(
    'INSERT INTO reports (id, hour, received_hour, cc, asn, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const insertVerdict = db.prepare(
    'INSERT INTO app_verdicts (report_id, app_id, verdict, hour, cc, asn) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertOne = db.transaction((entry: ReportToStore): InsertResult => {
    const { report, cc, asn, receivedHour } = entry;
    const inserted = insertReport.run(report.id, report.hour, receivedHour, cc, asn, JSON.stringify(report));
    if (inserted.changes === 0) return 'duplicate';
    for (const app of report.apps) insertVerdict.run(report.id, app.appId, app.verdict, report.hour, cc, asn);
    return 'created';
  });

  /**
   * Group commit: reports that arrive while the event loop is busy are written in one transaction,
   * so one fsync covers them all. Each report runs in its own savepoint (a nested better-sqlite3
   * transaction), so one failing report does not fail the others.
   */
  let pending: { entry: ReportToStore; resolve: (r: InsertResult) => void; reject: (e: unknown) => void }[] = [];
  const writeBatch = db.transaction((batch: typeof pending) =>
    batch.map(({ entry }): { ok: true; result: InsertResult } | { ok: false; error: unknown } => {
      try {
        return { ok: true, result: insertOne(entry) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const outcomes = writeBatch.immediate(batch);
      batch.forEach(({ resolve, reject }, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok === true) resolve(outcome.result);
        else reject(outcome?.error ?? new Error('report was not written'));
      });
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  };
  const countReports = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM reports');

  return {
    insert: (entry) =>
      new Promise<InsertResult>((resolve, reject) => {
        pending.push({ entry, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      }),
    appCounts(query: StatsQuery): Promise<AppCounts[]> {
      // Clauses are fixed strings; only their parameters come from the request.
      const clauses = ['hour >= @since', 'cc <> @unknownCc', 'asn <> @unknownAsn'];
      if (query.cc !== undefined) clauses.push('cc = @cc');
      if (query.asn !== undefined) clauses.push('asn = @asn');
      if (query.appId !== undefined) clauses.push('app_id = @appId');
      const rows = db
        .prepare<Record<string, string | number>, CountsRow>(
          `SELECT app_id AS appId, count(*) AS total,
             sum(verdict = 'works') AS works, sum(verdict = 'degraded') AS degraded,
             sum(verdict = 'blocked') AS blocked, sum(verdict = 'unknown') AS unknown
           FROM app_verdicts WHERE ${clauses.join(' AND ')} GROUP BY app_id ORDER BY app_id`,
        )
        .all({
          since: query.since,
          unknownCc: UNKNOWN_CC,
          unknownAsn: UNKNOWN_ASN,
          ...(query.cc === undefined ? {} : { cc: query.cc }),
          ...(query.asn === undefined ? {} : { asn: query.asn }),
          ...(query.appId === undefined ? {} : { appId: query.appId }),
        });
      return Promise.resolve(rows);
    },
    count: () => Promise.resolve(countReports.get()?.n ?? 0),
    close() {
      flush();
      db.close();
      return Promise.resolve();
    },
  };
}
