// Builds the popup's app rows from the catalog and a report: pinned first, then by verdict, guessed ones apart.
import { isGuessed } from '../core/headline';
import type { AppVerdict, Observations, Report, Verdict } from '../core/report';

export interface CatalogEntry {
  id: string;
  name: string;
  noteKey?: string;
}

export type RowState =
  | { kind: 'result'; verdict: AppVerdict }
  /** The check is running and this app has no verdict yet. */
  | { kind: 'pending' }
  /** No check has judged this app (no report yet, or the check ended without it). */
  | { kind: 'not-checked' };

export interface AppRow {
  appId: string;
  name: string;
  noteKey?: string;
  pinned: boolean;
  /** Judged from general tests only: shown apart, as "probably", unless pinned. */
  guessed: boolean;
  state: RowState;
}

/** Problems first: what a person needs to know before a call is what does not work. */
const VERDICT_ORDER: Readonly<Record<Verdict, number>> = { blocked: 0, degraded: 1, unknown: 2, works: 3 };

function rank(row: AppRow): number {
  return row.state.kind === 'result' ? VERDICT_ORDER[row.state.verdict.verdict] : Object.keys(VERDICT_ORDER).length;
}

/**
 * While a check runs, every catalog app has a row (pending until its verdict arrives). A finished
 * report shows the apps it judged, so a report made with another catalog (older, or a test's) does
 * not sprout rows it never measured; with no verdicts at all the catalog is listed as not checked.
 * Apps the catalog does not know (custom servers) come last, under their id. Order: pinned apps,
 * in catalog order, then the others by verdict: blocked, degraded, unknown, works (catalog order
 * while a check runs).
 */
export function buildRows(
  catalog: readonly CatalogEntry[],
  report: Report | null,
  pinned: readonly string[],
  /** True also while a requested check has not sent its first report. */
  running: boolean = report?.status === 'running',
): AppRow[] {
  const verdicts = new Map((report?.apps ?? []).map((app) => [app.appId, app]));
  const known = new Set(catalog.map((app) => app.id));
  const listed =
    running || verdicts.size === 0 ? catalog : catalog.filter((app) => verdicts.has(app.id));
  const extras: CatalogEntry[] = [...verdicts.keys()].filter((id) => !known.has(id)).map((id) => ({ id, name: id }));
  const pinnedSet = new Set(pinned);
  const rows = [...listed, ...extras].map((app): AppRow => {
    const verdict = verdicts.get(app.id);
    const state: RowState =
      verdict !== undefined ? { kind: 'result', verdict } : running ? { kind: 'pending' } : { kind: 'not-checked' };
    return {
      appId: app.id,
      name: app.name,
      ...(app.noteKey === undefined ? {} : { noteKey: app.noteKey }),
      pinned: pinnedSet.has(app.id),
      guessed: verdict !== undefined && isGuessed(verdict),
      state,
    };
  });
  // Array.prototype.sort is stable, so catalog order holds among rows of the same pin and verdict. Pinned rows
  // keep catalog order, and no row moves while a check runs: a row must not jump away from a finger or the focus.
  const byVerdict = (a: AppRow, b: AppRow): number => (running || a.pinned ? 0 : rank(a) - rank(b));
  return rows.sort((a, b) => Number(b.pinned) - Number(a.pinned) || byVerdict(a, b));
}

export interface Progress {
  done: number;
  total: number;
}

export function progressOf(rows: readonly AppRow[]): Progress {
  return { done: rows.filter((row) => row.state.kind === 'result').length, total: rows.length };
}

/** The parts of a catalog app whose probes count toward progress. */
export interface ProbedApp {
  signalling: readonly { id: string }[];
  media: readonly { id: string }[];
}

/**
 * How many of the apps' own probes have a result, and how many there are; the controls phase is
 * over once its measurements (NAT, RTT) are in or any app probe has answered.
 */
export function probeCounts(
  apps: readonly ProbedApp[],
  observations: Observations,
): { probesDone: number; probesTotal: number; controlsDone: boolean } {
  const ids = new Set(apps.flatMap((app) => [...app.signalling, ...app.media].map((target) => target.id)));
  const probesDone = [...observations.http, ...observations.ice].filter((result) => ids.has(result.id)).length;
  const controlsDone = observations.nat !== undefined || observations.rtt !== undefined || probesDone > 0;
  return { probesDone, probesTotal: ids.size, controlsDone };
}
