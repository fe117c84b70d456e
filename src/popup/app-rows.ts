// Builds the popup's app rows from the catalog and a report: pinned first, pending while a check runs.
import type { AppVerdict, Report } from '../core/report';

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
  state: RowState;
}

/**
 * While a check runs, every catalog app has a row (pending until its verdict arrives). A finished
 * report shows the apps it judged, so a report made with another catalog (older, or a test's) does
 * not sprout rows it never measured; with no verdicts at all the catalog is listed as not checked.
 * Apps the catalog does not know (custom servers) come last, under their id.
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
      state,
    };
  });
  // Array.prototype.sort is stable, so catalog order holds within the pinned and unpinned groups.
  return rows.sort((a, b) => Number(b.pinned) - Number(a.pinned));
}

export interface Progress {
  done: number;
  total: number;
}

export function progressOf(rows: readonly AppRow[]): Progress {
  return { done: rows.filter((row) => row.state.kind === 'result').length, total: rows.length };
}
