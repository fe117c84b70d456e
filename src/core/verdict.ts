// The verdict engine: observations and the catalog in; per-app verdicts, one overall answer and quality out.
import { appLossPct, appQuality } from './app-quality';
import { isUsable, judgeApp, type AppEvidence } from './app-verdict';
import type { Catalog, Confidence } from './catalog';
import { isSlowLink, loadedRttEvidence } from './deadlines';
import { hasBaseline, networkReasons, readNetwork } from './network-context';
import { LOSSY_PCT, assessQuality, lossFromBurst, ms, qualityReasons, type Percent } from './quality';
import { adviceForReasons, orderReasons, type Reason } from './reasons';
import { plannedReflection, reflectionPending } from './reflection';
import { siblingConfirmed } from './residual';
import { heardInBurst } from './silence';
import type { AppVerdict, Observations, Overall, Quality } from './report';

/**
 * The version of the rules below. Bump it with any change that can change a verdict: shared reports
 * carry the version that judged them, and the collector judges stored reports again whenever its
 * engine is newer (src/core/rejudge.ts), so a fix reaches every published figure.
 */
// 2: the rules of 2026-12-07 (Zoom's UDP from its reflected ports, a plain-TCP TURN probe confirmed by its TLS sibling,
// `residual` silence, SLOW_LINK from two loaded samples, each app judged on its own reflected sample). The collector
// keeps reflection probes from this version on (reports-route.ts onlyCatalogIds) and re-reads them (rejudge.ts); a
// stored report whose reflection probes an older collector dropped keeps its reflected verdicts as sent.
export const ENGINE_VERSION = 2;

export interface Judgement {
  apps: AppVerdict[];
  overall: Overall;
  quality?: Quality;
}

/**
 * Pure: the same observations always give the same answer, so the collector can recompute
 * verdicts from shared observations (OONI's lesson, quality-and-verdicts.md §7.4). Apps with a
 * target still lacking a result are left out (pending), or, once the check is over (`final`), unknown.
 */
export function judge(catalog: Catalog, measured: Observations, options: { final?: boolean } = {}): Judgement {
  const obs = siblingConfirmed(catalog, heardInBurst(measured));
  const network = readNetwork(catalog, obs);
  const quality = qualityFrom(obs.rtt, obs.loss);
  const findings = quality === undefined ? lossReasons(obs.loss === undefined ? undefined : lossFromBurst(obs.loss)) : qualityReasons(quality);
  const evidence: AppEvidence = {
    http: new Map(obs.http.map((r) => [r.id, r])),
    ice: new Map(obs.ice.map((r) => [r.id, r])),
    dns: new Map(obs.dns.map((d) => [d.targetId, d])),
    ...plannedReflection(catalog),
  };
  const judged = catalog.apps.flatMap((app) => {
    // Its call ports are being tested through our relay: wait for them rather than show a guess that then changes.
    if (options.final !== true && reflectionPending(app, catalog, evidence.ice)) return [];
    // Loss or delay on the path to the app's own servers is that app's finding; the control's apply to every app.
    const own = appQuality(app, obs.paths);
    const verdict = judgeApp(app, evidence, network, orderReasons([...findings, ...pathReasons(own, appLossPct(app, obs.paths))]), options.final);
    return verdict === undefined ? [] : [own === undefined ? verdict : { ...verdict, quality: own }];
  });
  const anyUsable = judged.some(isUsable);
  // A blocked app's user is best served by one that works here, whatever blocked it.
  const apps = judged.map((verdict) =>
    verdict.verdict === 'blocked' && anyUsable && !verdict.advice.includes('USE_APP_THAT_WORKS')
      ? { ...verdict, advice: [...verdict.advice, 'USE_APP_THAT_WORKS' as const] }
      : verdict,
  );
  // A slow link is a note on the connection for the overall answer; it blocks nothing and degrades no app by itself.
  const slow: Reason[] = network.gate === undefined && isSlowLink(obs.rtt?.medianMs, loadedRttEvidence(obs.loadedRtt)) ? ['SLOW_LINK'] : [];
  const reasons = orderReasons([...networkReasons(network), ...(network.gate === undefined ? findings : []), ...slow]);
  return {
    apps,
    overall: overallOf(apps, reasons, hasBaseline(network)),
    ...(quality === undefined ? {} : { quality }),
  };
}

/**
 * An app's own path findings: loss and delay. Not jitter: three samples per app cannot tell a path's jitter from a
 * browser's stray late sample (stats.ts robustJitter); the control's seven can. Loss measured without enough RTT
 * samples for a quality estimate still counts (heavy loss is what leaves the samples missing).
 */
function pathReasons(quality: Quality | undefined, lossPct: Percent | undefined): Reason[] {
  return quality === undefined ? lossReasons(lossPct) : qualityReasons(quality).filter((reason) => reason !== 'HIGH_JITTER');
}

/** LOSSY from a measured loss figure alone, for when there is no quality estimate to read it from. */
function lossReasons(lossPct: Percent | undefined): Reason[] {
  return lossPct !== undefined && lossPct >= LOSSY_PCT ? ['LOSSY'] : [];
}

/** No quality without a measured median and jitter: an estimate from made-up figures would read as "good". */
function qualityFrom(rtt: Observations['rtt'], burst: Observations['loss']): Quality | undefined {
  if (rtt?.medianMs === undefined || rtt.jitterMs === undefined) return undefined;
  const loss = burst === undefined ? undefined : lossFromBurst(burst);
  return assessQuality({ rtt: ms(rtt.medianMs), jitter: ms(rtt.jitterMs), ...(loss === undefined ? {} : { loss }) });
}

/**
 * One answer for the connection, over the apps that could be judged:
 * - blocked   if more than half of them are blocked (the network blocks calls broadly);
 * - works     if at least two thirds of them work;
 * - degraded  otherwise (calls possible, but not everywhere or not well);
 * - unknown   when offline, behind a captive portal, or when no app could be judged.
 * Confidence is how many judged apps agree with the answer: ≥ 2/3 high, ≥ 1/3 medium, else low;
 * low without a baseline (hasBaseline). Reasons are the network-wide findings (controls,
 * UDP, NAT, quality); per-app findings stay with the apps.
 */
function overallOf(apps: readonly AppVerdict[], reasons: readonly Reason[], baseline: boolean): Overall {
  const judged = apps.filter((app) => app.verdict !== 'unknown');
  const count = (verdict: AppVerdict['verdict']) => judged.filter((app) => app.verdict === verdict).length;
  const gated = reasons.includes('OFFLINE') || reasons.includes('CAPTIVE_PORTAL');
  const advice = adviceForReasons(reasons);
  if (gated || judged.length === 0) return { verdict: 'unknown', confidence: 'low', reasons: [...reasons], advice };

  const blocked = count('blocked');
  let verdict: Overall['verdict'];
  if (blocked * 2 > judged.length) verdict = 'blocked';
  else if (count('works') * 3 >= judged.length * 2) verdict = 'works';
  else verdict = 'degraded';

  const agreement = count(verdict) / judged.length;
  let confidence: Confidence = agreement >= 2 / 3 ? 'high' : agreement >= 1 / 3 ? 'medium' : 'low';
  if (!baseline) confidence = 'low';
  if (blocked > 0 && judged.some(isUsable) && !advice.includes('USE_APP_THAT_WORKS')) advice.push('USE_APP_THAT_WORKS');
  return { verdict, confidence, reasons: [...reasons], advice };
}
