// Decides which copy of the check state is newer, since updates arrive by port and by polling, and which stored check finished last.
import { parseReport, type Report } from '../core/report';

function resultCount(report: Report): number {
  const o = report.observations;
  return report.apps.length + o.http.length + o.ice.length + o.dns.length;
}

/**
 * A later check wins over an earlier one; for the same check, a finished copy wins over a running
 * one, and among running copies the one with more results. Ties keep the current copy, so a late
 * poll answer never rolls the rows back.
 */
export function newerReport(current: Report | null, incoming: Report): Report {
  if (current === null) return incoming;
  if (current.id !== incoming.id) {
    return Date.parse(incoming.startedAt) >= Date.parse(current.startedAt) ? incoming : current;
  }
  const currentDone = current.status !== 'running';
  const incomingDone = incoming.status !== 'running';
  if (currentDone !== incomingDone) return incomingDone ? incoming : current;
  return resultCount(incoming) > resultCount(current) ? incoming : current;
}

/** The newest finished check among reports read from storage; a running check's partial report is never one. */
export function newestFinished(data: readonly unknown[]): Report | null {
  let newest: Report | null = null;
  for (const item of data) {
    const parsed = parseReport(item);
    if (parsed.ok && parsed.report.status !== 'running') newest = newerReport(newest, parsed.report);
  }
  return newest;
}
