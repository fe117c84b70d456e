// What the collector publishes and when: whole UTC day cells of at least five reports, once their day is over and settled.

/**
 * A day cell (one app, one network, one UTC day of receipt) counts towards any published figure
 * only with at least this many reports, and only once its day is over. Every answer, whatever its
 * filter or window, is then a sum of whole such cells: two answers differ by whole cells, never by
 * a group of fewer than 5 reports.
 */
export const MIN_REPORTS_PER_CELL = 5;
/**
 * A day's cells are read only this long after it ended: a report received at 23:59 may still be
 * committing (request and statement timeouts are far below this), and after it nothing changes.
 */
export const DAY_SETTLE_MS = 15 * 60_000;
/** Stats answers are cached this long at most (and never past the next day's publication). */
export const STATS_MAX_AGE_S = 3_600;
export const DEFAULT_STATS_DAYS = 7;
export const MAX_STATS_DAYS = 90;
export const DAY_MS = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function dayFloorMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The pattern allows e.g. February 30th; only a real day survives the round trip through Date. */
export function isRealDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return DAY_PATTERN.test(day) && Number.isFinite(ms) && dayString(ms) === day;
}

/** The start of the first UTC day not published at `ms`: windows end with the last day that is over and settled. */
export function publishedUntilMs(ms: number): number {
  return dayFloorMs(ms - DAY_SETTLE_MS);
}

/** The last day that is over and settled: nothing received on it or before changes any more (but for re-judging). */
export function lastPublishedDay(ms: number): string {
  return dayString(publishedUntilMs(ms) - DAY_MS);
}

/** How long an answer published up to `untilMs` may be cached at `ms`: an hour at most, and never past the next day's publication. */
export function maxAgeSeconds(untilMs: number, ms: number): number {
  return Math.max(1, Math.min(STATS_MAX_AGE_S, Math.ceil((untilMs + DAY_MS + DAY_SETTLE_MS - ms) / 1000)));
}
