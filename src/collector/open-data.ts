// Open data: daily aggregates (CSV, JSON Lines) and the anonymised reports of a day, every row under the same ≥ 5 rule as /v1/stats.
import type { SharedReport } from '../core/shared-report';
import type { DayCell, StoredReport } from './store';

export const OPEN_DATA_LICENCE = 'CC BY 4.0';
export const OPEN_DATA_LICENCE_URL = 'https://creativecommons.org/licenses/by/4.0/';

export const AGGREGATE_COLUMNS = ['day', 'cc', 'asn', 'app', 'total', 'works', 'degraded', 'blocked', 'unknown'] as const;

/** Only cells of at least `min` reports: the store is asked for these, and this is the last word. */
export function publishedCells(cells: readonly DayCell[], min: number): DayCell[] {
  return cells.filter((c) => c.works + c.degraded + c.blocked + c.unknown >= min);
}

function aggregateRow(c: DayCell) {
  return { day: c.day, cc: c.cc, asn: c.asn, app: c.appId, total: c.works + c.degraded + c.blocked + c.unknown, works: c.works, degraded: c.degraded, blocked: c.blocked, unknown: c.unknown };
}

/** RFC 4180 CSV with a header line; every value is a day, a country code, a number or a catalog id, so none needs quoting. */
export function aggregatesCsv(cells: readonly DayCell[], min: number): string {
  const lines = publishedCells(cells, min).map((c) => {
    const row = aggregateRow(c);
    return AGGREGATE_COLUMNS.map((column) => String(row[column])).join(',');
  });
  return [AGGREGATE_COLUMNS.join(','), ...lines].map((line) => `${line}\r\n`).join('');
}

export function aggregatesJsonl(cells: readonly DayCell[], min: number): string {
  return publishedCells(cells, min)
    .map((c) => `${JSON.stringify(aggregateRow(c))}\n`)
    .join('');
}

export interface PublicReport {
  /** UTC day the collector received it. */
  day: string;
  /** null when the country sent fewer than `min` reports that day. */
  cc: string | null;
  /** null when the network sent fewer than `min` reports that day. */
  asn: number | null;
  /** The report as stored, less its upload id (a random uuid only its sender could recognise). */
  report: Omit<SharedReport, 'id'>;
}

/**
 * Who may be named beside a single report: a network or a country that sent at least `min`
 * reports that day. Fewer, and the report is published without it (the unknown network, ZZ/AS0,
 * is never named).
 */
export function namingRule(counts: readonly { cc: string; asn: number; reports: number }[], min: number) {
  const perCountry = new Map<string, number>();
  const networks = new Set<string>();
  for (const { cc, asn, reports } of counts) {
    if (cc === 'ZZ' || asn === 0) continue;
    perCountry.set(cc, (perCountry.get(cc) ?? 0) + reports);
    if (reports >= min) networks.add(`${cc}/${asn}`);
  }
  return (day: string, stored: StoredReport): PublicReport => {
    const report: Partial<SharedReport> = { ...stored.body };
    delete report.id;
    const countryShown = (perCountry.get(stored.cc) ?? 0) >= min;
    return {
      day,
      cc: countryShown ? stored.cc : null,
      asn: countryShown && networks.has(`${stored.cc}/${stored.asn}`) ? stored.asn : null,
      report: report as Omit<SharedReport, 'id'>,
    };
  };
}
