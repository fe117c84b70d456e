// Generated reports for the results page's tests and benchmark: networks whose calls are cut on a given day, and a network too small to publish.
import { randomUUID } from 'node:crypto';
import type { Verdict } from '../../src/core/report';
import type { SharedReport } from '../../src/core/shared-report';
import type { ReportToStore, Store } from '../../src/collector/store';

const DAY_MS = 86_400_000;

export interface FixtureNetwork {
  cc: string;
  asn: number;
  /** Reports a day from this network (below 5: every one of its cells is suppressed). */
  perDay: number;
  /** Per app, the verdict on a day `daysAgo` (1 = yesterday): a rule, so a cut "since Tuesday" can be drawn. */
  verdicts: Record<string, (daysAgo: number, index: number) => Verdict>;
}

/** Morocco's main network cuts WhatsApp calls 3 days ago; a third Moroccan network sends 4 reports a day (suppressed). */
export const FIXTURE_NETWORKS: readonly FixtureNetwork[] = [
  {
    cc: 'MA',
    asn: 36903,
    perDay: 8,
    verdicts: {
      whatsapp: (daysAgo, i) => (daysAgo <= 3 ? 'blocked' : i % 4 === 0 ? 'degraded' : 'works'),
      signal: () => 'blocked',
      teams: (_, i) => (i % 2 === 0 ? 'works' : 'degraded'),
    },
  },
  { cc: 'MA', asn: 36925, perDay: 6, verdicts: { whatsapp: (_, i) => (i === 0 ? 'blocked' : 'works'), signal: () => 'blocked', teams: () => 'works' } },
  { cc: 'MA', asn: 6713, perDay: 4, verdicts: { whatsapp: () => 'blocked', signal: () => 'blocked', teams: () => 'works' } },
  { cc: 'EG', asn: 8452, perDay: 7, verdicts: { whatsapp: () => 'blocked', signal: () => 'blocked', zoom: () => 'works' } },
  { cc: 'AE', asn: 5384, perDay: 6, verdicts: { whatsapp: () => 'blocked', facetime: () => 'blocked', botim: () => 'works' } },
  { cc: 'FR', asn: 3215, perDay: 5, verdicts: { whatsapp: () => 'works', signal: () => 'works', teams: (_, i) => (i === 0 ? 'degraded' : 'works') } },
  { cc: 'DZ', asn: 36947, perDay: 5, verdicts: { whatsapp: (_, i) => (i < 2 ? 'blocked' : 'works'), signal: () => 'degraded' } },
];

function hourString(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function report(hour: string, apps: Record<string, Verdict>): SharedReport {
  return {
    schema: 1,
    id: randomUUID(),
    hour,
    extensionVersion: '0.1.0',
    catalogVersion: '2026.06.18',
    browser: { family: 'chrome', major: 137 },
    apps: Object.entries(apps).map(([appId, verdict]) => ({
      appId,
      verdict,
      confidence: 'high' as const,
      messaging: 'reachable' as const,
      calls: verdict === 'blocked' ? ('blocked' as const) : ('reachable' as const),
      reasons: verdict === 'blocked' ? ['UDP_BLOCKED' as const] : [],
    })),
    overall: { verdict: 'works', confidence: 'high', reasons: [] },
    probes: [],
  };
}

/** The reports of `days` whole days before `now`'s day (received at noon UTC), for each network. */
export function fixtureReports(now: Date, days: number, networks: readonly FixtureNetwork[] = FIXTURE_NETWORKS): ReportToStore[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const entries: ReportToStore[] = [];
  for (let daysAgo = 1; daysAgo <= days; daysAgo += 1) {
    const hour = hourString(today - daysAgo * DAY_MS + 12 * 3_600_000);
    for (const network of networks) {
      for (let i = 0; i < network.perDay; i += 1) {
        const apps = Object.fromEntries(Object.entries(network.verdicts).map(([appId, rule]) => [appId, rule(daysAgo, i)]));
        entries.push({ report: report(hour, apps), cc: network.cc, asn: network.asn, receivedHour: hour });
      }
    }
  }
  return entries;
}

export async function fillStore(store: Store, entries: readonly ReportToStore[]): Promise<void> {
  await Promise.all(entries.map((entry) => store.insert(entry)));
}
