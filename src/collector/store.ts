// The storage contract the API depends on; SQLite and PostgreSQL implement it (store-sqlite.ts, store-postgres.ts).
import type { SharedReport } from '../core/shared-report';
import type { Verdict } from '../core/report';

/** Stored for reports whose country or network could not be derived (OONI's convention); never counted in stats. */
export const UNKNOWN_CC = 'ZZ';
export const UNKNOWN_ASN = 0;

/**
 * Reports waiting for their batch beyond this are refused at once (503) instead of queueing
 * without bound: a database that cannot keep up must not turn into unbounded memory and latency.
 */
export const MAX_PENDING_REPORTS = 4_000;

export interface ReportToStore {
  report: SharedReport;
  cc: string;
  asn: number;
  /** The hour of receipt, rounded down like the report's own hour: a precise arrival time would undo that rounding. */
  receivedHour: string;
}

export interface CellQuery {
  /** First UTC day counted, "YYYY-MM-DD" (receipt day). */
  fromDay: string;
  /**
   * First UTC day not counted. The days before it must be over: their sums over networks are
   * computed once and kept (a report stored later for such a day would not be counted there).
   */
  untilDay: string;
  cc?: string;
  asn?: number;
  appId?: string;
  /** A day cell (one app, one network, one day) counts only with at least this many reports. */
  minPerCell: number;
}

export type VerdictCounts = Record<Verdict, number>;

export interface AppCounts extends VerdictCounts {
  appId: string;
  total: number;
}

/** One country's verdict sums over every app, from the cells that reached minPerCell (the world map). */
export interface CountryCounts extends VerdictCounts {
  cc: string;
  total: number;
}

export interface CountryQuery {
  fromDay: string;
  /** First UTC day not counted; the days before it must be over (as for CellQuery). */
  untilDay: string;
  minPerCell: number;
}

/** Per app: the sum of the cells that reached minPerCell, and how many cells did not. */
export interface AppCellSums extends AppCounts {
  smallCells: number;
}

export type Readiness = { ok: true } | { ok: false; reason: string };

/** A report refused because the write queue is full or the database is unreachable: worth retrying (503). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** Returns the report judged again, or undefined when it stays as stored (src/core/rejudge.ts). */
export type Rejudge = (report: SharedReport) => SharedReport | undefined;

export interface RejudgeResult {
  /** Stored reports read. */
  scanned: number;
  /** Reports whose stored verdicts were replaced. */
  rejudged: number;
  /** App verdicts that changed, each moving one count between verdicts in its day cell. */
  changedVerdicts: number;
}

/** One day cell as stored: a day of receipt, a network, an app, a count per verdict. */
export interface DayCell extends VerdictCounts {
  day: string;
  cc: string;
  asn: number;
  appId: string;
}

export interface DayCellQuery {
  fromDay: string;
  /** First day not read. */
  untilDay: string;
  cc?: string;
  /** Only cells holding at least this many reports are returned. */
  minPerCell: number;
}

/** A stored report as the open data reads it: its network and the report, with the count of reports its network sent that day. */
export interface StoredReport {
  cc: string;
  asn: number;
  body: SharedReport;
}

export interface Store {
  /**
   * Stores a report and adds its verdicts to the day counts, atomically, in the next batch; resolves
   * once committed. A known id stores nothing (first write wins). Rejects with StoreUnavailableError
   * when the queue is full.
   */
  insert(entry: ReportToStore): Promise<'created' | 'duplicate'>;
  /** Per-app verdict sums over day cells with a known country and network: index reads of the cells, or of their per-day country totals when no network is asked for. */
  cellSums(query: CellQuery): Promise<AppCellSums[]>;
  /** Per-country verdict sums over every app, from the per-day country totals of the cells of minPerCell or more; countries with none are absent. */
  countrySums(query: CountryQuery): Promise<CountryCounts[]>;
  count(): Promise<number>;
  /** Whether a write would succeed now: the database answers, is writable and has room. */
  readiness(): Promise<Readiness>;
  /** Deletes raw reports received before this hour; the day counts are kept. Returns how many. */
  deleteReportsReceivedBefore(hour: string): Promise<number>;
  /**
   * Judges every stored report again with `again`, in chunks, each chunk one transaction: the new
   * verdicts replace the stored ones and the day counts move with them (a published day's country
   * totals are summed again). Then records `engine` as the version the stored reports were judged with.
   */
  rejudgeAll(engine: number, again: Rejudge): Promise<RejudgeResult>;
  /** Day cells of a known network holding at least minPerCell reports, ordered by day, country, network and app. */
  dayCells(query: DayCellQuery): Promise<DayCell[]>;
  /** The reports received in one hour ("YYYY-MM-DDTHH:00:00Z"), in id order. */
  reportsReceivedIn(hour: string): Promise<StoredReport[]>;
  /** How many reports each network sent on a day of receipt. */
  networkReportCounts(day: string): Promise<{ cc: string; asn: number; reports: number }[]>;
  /** The engine version of the last completed rejudgeAll, 0 if none ran. */
  judgedEngine(): Promise<number>;
  close(): Promise<void>;
}

/**
 * How the day counts move when a stored report's verdicts are replaced: -1 in the old verdict, +1
 * in the new, per app whose verdict changed; nothing for an unknown network (never counted).
 */
export function rejudgeDeltas(
  entries: readonly { before: SharedReport; after: SharedReport; cc: string; asn: number; receivedHour: string }[],
): CellDelta[] {
  const cells = new Map<string, CellDelta>();
  for (const { before, after, cc, asn, receivedHour } of entries) {
    if (cc === UNKNOWN_CC || asn === UNKNOWN_ASN) continue;
    const day = dayOf(receivedHour);
    const was = new Map(before.apps.map((app) => [app.appId, app.verdict]));
    for (const app of after.apps) {
      const old = was.get(app.appId);
      if (old === undefined || old === app.verdict) continue;
      const key = `${day}\u0000${cc}\u0000${asn}\u0000${app.appId}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { day, cc, asn, appId: app.appId, works: 0, degraded: 0, blocked: 0, unknown: 0 };
        cells.set(key, cell);
      }
      cell[old] -= 1;
      cell[app.verdict] += 1;
    }
  }
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
}

/**
 * The per-day country totals are summed this many days per transaction: the first sum on a large database
 * (two years of 10 M reports) took longer than PostgreSQL's statement timeout in one statement, so the map
 * never rendered; on SQLite it held the event loop for as long.
 */
export const ROLL_UP_DAYS = 31;

/** The day n days after a day, "YYYY-MM-DD". */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The UTC day of an hour string, "YYYY-MM-DD". */
export function dayOf(hour: string): string {
  return hour.slice(0, 10);
}

export interface CellDelta extends VerdictCounts {
  day: string;
  cc: string;
  asn: number;
  appId: string;
}

/** What a report adds to the day counts: its network, when it arrived and its per-app verdicts. */
export interface CellSource {
  cc: string;
  asn: number;
  receivedHour: string;
  apps: readonly { appId: string; verdict: Verdict }[];
}

/**
 * The day-count increments of a batch of newly stored reports, one row per cell, sorted by key so
 * that concurrent writers (two instances on one PostgreSQL) lock cells in the same order.
 */
export function cellDeltas(entries: readonly CellSource[]): CellDelta[] {
  const cells = new Map<string, CellDelta>();
  for (const { apps, cc, asn, receivedHour } of entries) {
    if (cc === UNKNOWN_CC || asn === UNKNOWN_ASN) continue;
    const day = dayOf(receivedHour);
    for (const app of apps) {
      const key = `${day}\u0000${cc}\u0000${asn}\u0000${app.appId}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { day, cc, asn, appId: app.appId, works: 0, degraded: 0, blocked: 0, unknown: 0 };
        cells.set(key, cell);
      }
      cell[app.verdict] += 1;
    }
  }
  return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
}
