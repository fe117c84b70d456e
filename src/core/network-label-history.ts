// Network names across the stored checks: renaming one check wherever it is stored, and the name offered for the next.
import { readNetworkLabel } from './network-label';
import type { Report } from './report';

export function withNetworkLabel(report: Report, label: string | undefined): Report {
  const named: Report = { ...report, networkLabel: label };
  if (label === undefined) delete named.networkLabel;
  return named;
}

export interface StoredChecks {
  current: Report | null;
  history: Report[];
}

export type LabelChange = { ok: true; report: Report; stored: StoredChecks } | { ok: false; error: string };

/**
 * Names (or, with an empty name, unnames) one finished check wherever it is stored: its history entry and, when it
 * is the current one, the current report. Nothing changes unless the name is valid and the check is found finished.
 */
export function relabel(stored: StoredChecks, reportId: string, typed: string): LabelChange {
  const input = readNetworkLabel(typed);
  if (!input.ok) return { ok: false, error: `invalid network name: ${input.error}` };
  const found = stored.history.find((r) => r.id === reportId) ?? (stored.current?.id === reportId ? stored.current : undefined);
  if (found === undefined) return { ok: false, error: `no stored check has the id ${reportId}` };
  if (found.status === 'running') return { ok: false, error: 'a check that is still running cannot be named yet' };
  const report = withNetworkLabel(found, input.label);
  return {
    ok: true,
    report,
    stored: {
      current: stored.current?.id === reportId ? report : stored.current,
      history: stored.history.map((r) => (r.id === reportId ? report : r)),
    },
  };
}

/**
 * The name offered, pre-filled, for a check not named yet: the newest name given to an earlier check on the same kind
 * of link (Wi-Fi, mobile data ...), as the browser told it. When the browser does not tell the link (desktop Chrome,
 * Firefox), nothing is offered: a laptop taken from home to a café or onto a phone's hotspot looks the same, and a
 * wrong name would mislabel the comparison the name is for. An offer is only a pre-filled field; the person saves it.
 */
export function suggestedNetworkLabel(report: Report, history: readonly Report[]): string | undefined {
  const type = report.connection?.type;
  if (type === undefined || report.networkLabel !== undefined) return undefined;
  const started = Date.parse(report.startedAt);
  return history
    .filter((r) => r.id !== report.id && r.networkLabel !== undefined && r.connection?.type === type && Date.parse(r.startedAt) < started)
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt))[0]?.networkLabel;
}
