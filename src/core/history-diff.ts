// What changed between two checks: the apps whose verdict differs, so "try mobile data instead" can be compared.
import type { Report, Verdict } from './report';

export interface VerdictChange {
  appId: string;
  from: Verdict;
  to: Verdict;
}

/**
 * Apps judged in both checks whose verdict differs, in the newer check's order. An app only one
 * of them judged is not a change: the catalogs may differ, or one check ended early.
 */
export function verdictChanges(older: Pick<Report, 'apps'>, newer: Pick<Report, 'apps'>): VerdictChange[] {
  const before = new Map(older.apps.map((app) => [app.appId, app.verdict]));
  return newer.apps.flatMap((app) => {
    const from = before.get(app.appId);
    return from === undefined || from === app.verdict ? [] : [{ appId: app.appId, from, to: app.verdict }];
  });
}
