// How long ago something happened, as the value and unit Intl.RelativeTimeFormat wants.

export interface RelativeAge {
  /** Negative or zero: the past. */
  value: number;
  unit: 'second' | 'minute' | 'hour' | 'day';
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Rounds down so "59 minutes" never shows as "1 hour"; a future time (clock skew) counts as now. */
export function relativeAge(thenMs: number, nowMs: number): RelativeAge {
  const elapsed = Math.max(0, nowMs - thenMs);
  // Below a minute the exact seconds are noise; "now" (value 0 with numeric: 'auto') reads better.
  if (elapsed < MINUTE) return { value: 0, unit: 'second' };
  if (elapsed < HOUR) return { value: -Math.floor(elapsed / MINUTE), unit: 'minute' };
  if (elapsed < DAY) return { value: -Math.floor(elapsed / HOUR), unit: 'hour' };
  return { value: -Math.floor(elapsed / DAY), unit: 'day' };
}
