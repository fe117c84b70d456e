// The crowd view: what the collector's stats say about the caller's own network, validated and reduced to one line per app.
import * as v from 'valibot';

/** `GET /v1/stats?network=mine` (src/collector/app.ts); cells under the collector's minimum count never arrive. */
export const CrowdStatsSchema = v.object({
  days: v.pipe(v.number(), v.integer(), v.minValue(1)),
  apps: v.array(
    v.object({
      appId: v.string(),
      total: v.pipe(v.number(), v.integer(), v.minValue(0)),
      works: v.pipe(v.number(), v.integer(), v.minValue(0)),
      degraded: v.pipe(v.number(), v.integer(), v.minValue(0)),
      blocked: v.pipe(v.number(), v.integer(), v.minValue(0)),
      unknown: v.pipe(v.number(), v.integer(), v.minValue(0)),
    }),
  ),
});
export type CrowdStats = v.InferOutput<typeof CrowdStatsSchema>;

export interface CrowdLine {
  days: number;
  total: number;
  /** Share of reports that judged the app's calls blocked, 0–100. */
  blockedPct: number;
}

export function parseCrowdStats(data: unknown): CrowdStats | null {
  const parsed = v.safeParse(CrowdStatsSchema, data);
  return parsed.success ? parsed.output : null;
}

/** The line for one app, or undefined when the collector published nothing for it. */
export function crowdLineFor(stats: CrowdStats, appId: string): CrowdLine | undefined {
  const cell = stats.apps.find((app) => app.appId === appId);
  if (!cell || cell.total === 0) return undefined;
  return { days: stats.days, total: cell.total, blockedPct: (100 * cell.blocked) / cell.total };
}
