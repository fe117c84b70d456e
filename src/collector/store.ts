// The storage contract the API depends on; SQLite and PostgreSQL implement it (store-sqlite.ts, store-postgres.ts).
import type { SharedReport } from '../core/shared-report';
import type { Verdict } from '../core/report';

/** Stored for reports whose country or network could not be derived (OONI's convention); never counted in stats. */
export const UNKNOWN_CC = 'ZZ';
export const UNKNOWN_ASN = 0;

export interface ReportToStore {
  report: SharedReport;
  cc: string;
  asn: number;
  /** The hour of receipt, rounded down like the report's own hour: a precise arrival time would undo that rounding. */
  receivedHour: string;
}

export interface StatsQuery {
  /** Inclusive lower bound on the report hour, "YYYY-MM-DDTHH:00:00Z". */
  since: string;
  cc?: string;
  asn?: number;
  appId?: string;
}

export type VerdictCounts = Record<Verdict, number>;

export interface AppCounts extends VerdictCounts {
  appId: string;
  total: number;
}

export interface Store {
  /** Stores a report and its per-app verdicts atomically; a known id stores nothing (first write wins). */
  insert(entry: ReportToStore): Promise<'created' | 'duplicate'>;
  /** Per-app verdict counts over reports with a known country and network, unsuppressed: suppression is the API's rule. */
  appCounts(query: StatsQuery): Promise<AppCounts[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}
