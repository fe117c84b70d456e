// What the results page shows, from stored day cells: pure functions, so the page's suppression is proven by unit tests.
import type { CountryCounts, DayCell, VerdictCounts } from './store';

/** A network × app cell of the country page: no reports, reports but no day cell of the minimum, or the published mix. */
export type CellView =
  | { kind: 'none' }
  | { kind: 'suppressed' }
  | ({ kind: 'counts'; total: number } & VerdictCounts);

export interface NetworkView {
  asn: number;
  /** appId → its cell; every app of the page has one. */
  cells: Record<string, CellView>;
}

/** One app's blocked share per day; a day without a published cell has no point (absent, never 0). */
export interface TimelineView {
  appId: string;
  points: { day: string; measured?: { total: number; blocked: number } }[];
}

export interface CountryView {
  apps: string[];
  networks: NetworkView[];
  timelines: TimelineView[];
}

export interface CountryViewOptions {
  minPerCell: number;
  /** The table sums the days from this one on (the timeline shows every day given). */
  tableFromDay: string;
  /** The timeline's days, oldest first; cells outside them are ignored. */
  days: readonly string[];
}

function cellTotal(cell: VerdictCounts): number {
  return cell.works + cell.degraded + cell.blocked + cell.unknown;
}

/**
 * The country page from its day cells, small ones included. As everywhere else, only day cells of
 * minPerCell or more reports are summed; a network × app with reports but no such cell is
 * "suppressed" (as /v1/stats counts it), and its verdicts never reach the view.
 */
export function countryView(cells: readonly DayCell[], options: CountryViewOptions): CountryView {
  const { minPerCell, tableFromDay, days } = options;
  const inWindow = new Set(days);
  const apps = [...new Set(cells.map((cell) => cell.appId))].sort();
  const networks = new Map<number, Map<string, CellView>>();
  const daily = new Map<string, { total: number; blocked: number }>();
  for (const cell of cells) {
    if (!inWindow.has(cell.day)) continue;
    const total = cellTotal(cell);
    if (total === 0) continue;
    const published = total >= minPerCell;
    if (published) {
      const key = `${cell.appId}\u0000${cell.day}`;
      const point = daily.get(key) ?? { total: 0, blocked: 0 };
      point.total += total;
      point.blocked += cell.blocked;
      daily.set(key, point);
    }
    if (cell.day < tableFromDay) continue;
    let row = networks.get(cell.asn);
    if (row === undefined) {
      row = new Map();
      networks.set(cell.asn, row);
    }
    const was = row.get(cell.appId) ?? { kind: 'none' };
    if (!published) {
      if (was.kind === 'none') row.set(cell.appId, { kind: 'suppressed' });
      continue;
    }
    const sum = was.kind === 'counts' ? was : { kind: 'counts' as const, total: 0, works: 0, degraded: 0, blocked: 0, unknown: 0 };
    row.set(cell.appId, {
      kind: 'counts',
      total: sum.total + total,
      works: sum.works + cell.works,
      degraded: sum.degraded + cell.degraded,
      blocked: sum.blocked + cell.blocked,
      unknown: sum.unknown + cell.unknown,
    });
  }
  const tableApps = apps.filter((appId) => [...networks.values()].some((row) => row.has(appId)));
  return {
    apps: tableApps,
    networks: [...networks.entries()]
      .sort(([a], [b]) => a - b)
      .map(([asn, row]) => ({ asn, cells: Object.fromEntries(tableApps.map((appId) => [appId, row.get(appId) ?? { kind: 'none' }])) })),
    timelines: apps
      .map((appId) => ({
        appId,
        points: days.map((day) => {
          const point = daily.get(`${appId}\u0000${day}`);
          return point === undefined ? { day } : { day, measured: point };
        }),
      }))
      .filter((timeline) => timeline.points.some((point) => point.measured !== undefined)),
  };
}

export interface CountryShare {
  cc: string;
  total: number;
  blocked: number;
  /** blocked / total, 0 to 1. */
  share: number;
}

/** The map's figures: one share per country that has published cells (the store sums only cells of the minimum). */
export function countryShares(sums: readonly CountryCounts[]): Map<string, CountryShare> {
  return new Map(
    sums.filter((row) => row.total > 0).map((row) => [row.cc, { cc: row.cc, total: row.total, blocked: row.blocked, share: row.blocked / row.total }]),
  );
}

/** The map's colour classes: upper bounds of the blocked share, lowest first (the last takes everything above). */
export const SHARE_CLASSES = [0.05, 0.2, 0.5, 1] as const;

export function shareClass(share: number): number {
  const index = SHARE_CLASSES.findIndex((bound) => share <= bound);
  return index < 0 ? SHARE_CLASSES.length - 1 : index;
}
