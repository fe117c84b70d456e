// The SQLite store's writer thread: commits each batch of reports and their day counts, so the fsync never blocks the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { cellDeltas } from './store';
import type { CellSource } from './store';
import { errorText } from '../core/error-text';
import { VerdictSchema } from '../core/report';
import type { Verdict } from '../core/report';

/**
 * A report as the writer thread needs it, strings and a number only: a message costs the event loop per object it
 * holds far more than per byte, so the body goes serialised and the apps as one string (measured: an object per app
 * made posting a batch about half again as costly).
 */
export interface WireReport extends Omit<CellSource, 'apps'> {
  id: string;
  hour: string;
  body: string;
  /** Each app's id and verdict, "id verdict" lines (ids have neither space nor newline). */
  verdicts: string;
}

export function wireVerdicts(apps: CellSource['apps']): string {
  return apps.map(({ appId, verdict }) => `${appId} ${verdict}`).join('\n');
}

const VERDICTS: ReadonlySet<string> = new Set(VerdictSchema.options);

function isVerdict(value: string): value is Verdict {
  return VERDICTS.has(value);
}

/** The apps of wireVerdicts' string; throws on a line it cannot have written, which fails the batch. */
export function appsOfWire(verdicts: string): CellSource['apps'] {
  if (verdicts === '') return [];
  return verdicts.split('\n').map((line) => {
    const space = line.indexOf(' ');
    const verdict = line.slice(space + 1);
    if (space < 1 || !isVerdict(verdict)) throw new Error(`not an app verdict line: ${line.slice(0, 80)}`);
    return { appId: line.slice(0, space), verdict };
  });
}

/**
 * When a commit is on disk. `full`: before the 202 (an fsync per commit). `normal`: SQLite's advice for WAL, the
 * commit is in the operating system's cache before the 202 and on disk by the next checkpoint; a crash of the
 * collector loses nothing, a crash of the machine (kernel, power) can lose the last commits.
 */
export type SqliteSynchronous = 'full' | 'normal';

export interface WriterConfig {
  file: string;
  maxPages?: number;
  synchronous: SqliteSynchronous;
}

export type WriterRequest = { kind: 'write'; seq: number; reports: WireReport[] } | { kind: 'close' };

export type WriterResponse =
  | { seq: number; ok: true; created: string[] }
  /** `code` is SQLite's (SQLITE_CONSTRAINT_..., SQLITE_FULL, ...): the batcher tells one report's error from the store's by it. */
  | { seq: number; ok: false; code: string; message: string };

/** The connection settings both the main thread's connection and the writer's need: WAL, and when a commit is durable. */
export function configureConnection(db: Database.Database, maxPages: number | undefined, synchronous: SqliteSynchronous): void {
  db.pragma('journal_mode = WAL');
  db.pragma(synchronous === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (maxPages !== undefined) db.pragma(`max_page_count = ${Math.trunc(maxPages)}`);
}

function runWriter(config: WriterConfig, port: NonNullable<typeof parentPort>): void {
  const db = new Database(config.file);
  configureConnection(db, config.maxPages, config.synchronous);
  const insertReport = db.prepare(
    'INSERT INTO reports (id, hour, received_hour, cc, asn, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const addCell = db.prepare(
    `INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (day, cc, asn, app_id) DO UPDATE SET works = works + excluded.works, degraded = degraded + excluded.degraded,
       blocked = blocked + excluded.blocked, unknown = unknown + excluded.unknown`,
  );
  const writeBatch = db.transaction((reports: readonly WireReport[]): string[] => {
    const fresh = reports.filter((r) => insertReport.run(r.id, r.hour, r.receivedHour, r.cc, r.asn, r.body).changes > 0);
    const sources = fresh.map((r) => ({ cc: r.cc, asn: r.asn, receivedHour: r.receivedHour, apps: appsOfWire(r.verdicts) }));
    for (const c of cellDeltas(sources)) addCell.run(c.day, c.cc, c.asn, c.appId, c.works, c.degraded, c.blocked, c.unknown);
    return fresh.map((r) => r.id);
  });

  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let response: WriterResponse;
    try {
      response = { seq: request.seq, ok: true, created: writeBatch.immediate(request.reports) };
    } catch (error) {
      const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'SQLITE_ERROR';
      response = { seq: request.seq, ok: false, code, message: errorText(error).slice(0, 300) };
    }
    port.postMessage(response);
  });
}

if (parentPort !== null && (workerData as { sqliteWriter?: WriterConfig } | undefined)?.sqliteWriter !== undefined) {
  runWriter((workerData as { sqliteWriter: WriterConfig }).sqliteWriter, parentPort);
}
