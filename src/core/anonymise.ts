// Turns a local report into the shared one: keeps classified outcomes, drops every address, candidate, port, URL, raw error and identifier.
import * as v from 'valibot';
import { loadedRttEvidence } from './deadlines';
import { isHttp3 } from './http-timing';
import { isNamedByBrowser } from './failure';
import type { AppVerdict, HttpProbeResult, IceProbeResult, LossResult, Observations, Quality, Report, RttResult } from './report';
import {
  MAX_SHARED_APPS,
  MAX_SHARED_DATAGRAMS,
  MAX_SHARED_PROBE_MS,
  MAX_SHARED_PROBES,
  MAX_SHARED_QUALITY_MS,
  SHARED_CATALOG_VERSION_PATTERN,
  SHARED_REPORT_SCHEMA_VERSION,
  SharedIdSchema,
  SharedReportSchema,
  UUID_V4_PATTERN,
  hourFloor,
} from './shared-report';
import type { SharedAppVerdict, SharedEvidence, SharedProbe, SharedQuality, SharedReport } from './shared-report';
import { ENGINE_VERSION } from './verdict';


/**
 * A catalog id is sent only if it has the catalog's shape and cannot carry an address: the
 * report's ids come from whatever catalog ran (a test may supply one), so they are not trusted.
 */
export function isShareableId(id: string): boolean {
  // The collector checks ids with this same schema (its address scan included).
  return v.is(SharedIdSchema, id);
}

/** Rounds a start time down to the hour in UTC, as "YYYY-MM-DDTHH:00:00Z". */
export function hourOf(timestamp: string): string {
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) throw new Error('anonymise: report.startedAt is not a timestamp');
  return hourFloor(ms);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/**
 * A duration to the nearest `step` ms, within 0..max, so a shared figure is no finer than it needs to be. Non-finite
 * durations (a probe that never ended) become the cap rather than leaking NaN into JSON as null.
 */
function coarseMs(ms: number, step: number, max: number): number {
  if (Number.isNaN(ms)) return 0;
  if (!Number.isFinite(ms)) return ms > 0 ? max : 0;
  return clamp(Math.round(ms / step) * step, 0, max);
}

function oneDecimal(n: number, min: number, max: number): number {
  return clamp(Math.round(n * 10) / 10, min, max);
}

/** Only the manifest's numeric version, cut to three parts (see SHARED_EXTENSION_VERSION_PATTERN). */
function extensionVersionOf(version: string): string {
  const match = /^(\d{1,5}(\.\d{1,5}){0,3})$/.exec(version);
  if (!match) return 'unknown';
  return version.split('.').slice(0, 3).join('.');
}

function catalogVersionOf(version: string): string {
  return SHARED_CATALOG_VERSION_PATTERN.test(version) ? version : 'unknown';
}

function appOf(app: AppVerdict): SharedAppVerdict {
  return {
    appId: app.appId,
    verdict: app.verdict,
    confidence: app.confidence,
    messaging: app.messaging,
    calls: app.calls,
    reasons: [...new Set(app.reasons)],
  };
}

function httpProbeOf(probe: HttpProbeResult): SharedProbe {
  return {
    kind: 'http',
    targetId: probe.id,
    outcome: probe.outcome,
    ...(probe.failure === undefined ? {} : { failure: probe.failure }),
    ms: coarseMs(probe.ms, 10, MAX_SHARED_PROBE_MS),
    ...(probe.status !== undefined && Number.isInteger(probe.status) && probe.status >= 100 && probe.status <= 599 ? { status: probe.status } : {}),
    ...(isHttp3(probe.timing?.protocol) ? { h3: true as const } : {}),
    // Only whether the browser named its error; the text itself stays on the device.
    ...(probe.rawError !== undefined && !isNamedByBrowser(probe.rawError) ? { unnamed: true as const } : {}),
    ...(probe.attempts === 2 ? { attempts: 2 as const } : {}),
  };
}

function iceProbeOf(probe: IceProbeResult): SharedProbe {
  const { errorCode } = probe;
  const keepCode = errorCode !== undefined && Number.isInteger(errorCode) && errorCode >= 0 && errorCode <= 999;
  return {
    kind: 'ice',
    targetId: probe.id,
    transport: probe.transport,
    outcome: probe.outcome,
    evidence: probe.evidence,
    ...(keepCode ? { errorCode } : {}),
    ...(probe.failure === undefined ? {} : { failure: probe.failure }),
    ms: coarseMs(probe.ms, 10, MAX_SHARED_PROBE_MS),
    ...(probe.attempts === 2 ? { attempts: 2 as const } : {}),
    ...(probe.residual === true ? { residual: true as const } : {}),
  };
}

function rttOf(rtt: RttResult | undefined): SharedEvidence['rtt'] {
  if (rtt?.medianMs === undefined || !isShareableId(rtt.targetId)) return undefined;
  return {
    targetId: rtt.targetId,
    medianMs: coarseMs(rtt.medianMs, 1, MAX_SHARED_QUALITY_MS),
    ...(rtt.jitterMs === undefined ? {} : { jitterMs: coarseMs(rtt.jitterMs, 1, MAX_SHARED_QUALITY_MS) }),
  };
}

function lossOf(loss: LossResult | undefined): SharedEvidence['loss'] {
  if (loss === undefined || !isShareableId(loss.targetId)) return undefined;
  const sent = clamp(Math.trunc(loss.sent), 0, MAX_SHARED_DATAGRAMS);
  const exchanges = clamp(Math.trunc(loss.exchanges), 0, MAX_SHARED_DATAGRAMS);
  return { targetId: loss.targetId, exchanges, answered: clamp(Math.trunc(loss.answered), 0, exchanges), sent, lost: clamp(Math.trunc(loss.lost), 0, sent) };
}

/** What the verdict engine reads beyond the probes, so the collector can judge the report again (rejudge.ts). */
function evidenceOf(obs: Observations): SharedEvidence {
  const rtt = rttOf(obs.rtt);
  const loss = lossOf(obs.loss);
  // Only the median the verdict reads: one sample alone is not shared (deadlines.ts loadedRttEvidence).
  const loadedMs = loadedRttEvidence(obs.loadedRtt);
  return {
    engine: ENGINE_VERSION,
    dns: obs.dns
      .filter((d) => isShareableId(d.targetId))
      .slice(0, MAX_SHARED_PROBES)
      .map(({ targetId, system, doh, verdict }) => ({ targetId, system, doh, verdict })),
    ...(obs.nat === undefined ? {} : { natAnswered: obs.nat.answered.filter(isShareableId).slice(0, MAX_SHARED_PROBES) }),
    ...(rtt === undefined ? {} : { rtt }),
    ...(loadedMs === undefined ? {} : { loadedRttMs: coarseMs(loadedMs, 1, MAX_SHARED_QUALITY_MS) }),
    ...(loss === undefined ? {} : { loss }),
    ...(obs.paths === undefined
      ? {}
      : {
          paths: {
            rtt: obs.paths.rtt.flatMap((r) => rttOf(r) ?? []).slice(0, MAX_SHARED_PROBES),
            loss: obs.paths.loss.flatMap((l) => lossOf(l) ?? []).slice(0, MAX_SHARED_PROBES),
          },
        }),
    ...((obs.quic ?? []).some((q) => isHttp3(q.protocol)) ? { quicH3: true as const } : {}),
  };
}

function qualityOf(quality: Quality): SharedQuality | undefined {
  const { rttMs, jitterMs, lossPct, mos } = quality;
  if (![rttMs, jitterMs, mos].every(Number.isFinite)) return undefined;
  return {
    rttMs: coarseMs(rttMs, 1, MAX_SHARED_QUALITY_MS),
    jitterMs: coarseMs(jitterMs, 1, MAX_SHARED_QUALITY_MS),
    ...(lossPct !== undefined && Number.isFinite(lossPct) ? { lossPct: oneDecimal(lossPct, 0, 100) } : {}),
    mos: oneDecimal(mos, 1, 4.5),
  };
}

/**
 * Builds the shared report. `opts.id` is a fresh random uuid v4 made by the caller for this upload
 * only; the local report id would link the upload to the user's history and exports, so it is refused.
 * Entries whose id is not shareable are dropped, not renamed, so unrelated entries never merge.
 * The result is validated before it is returned: if anything unexpected got through, this throws
 * and nothing is sent (as OONI refuses to submit a measurement it could not scrub).
 */
export function anonymise(report: Report, opts: { id: string }): SharedReport {
  if (!UUID_V4_PATTERN.test(opts.id)) throw new Error('anonymise: id must be a lower-case uuid v4');
  if (opts.id === report.id.toLowerCase()) throw new Error('anonymise: id must not be the local report id');

  const seenApps = new Set<string>();
  const apps: SharedAppVerdict[] = [];
  for (const app of report.apps) {
    if (!isShareableId(app.appId) || seenApps.has(app.appId)) continue;
    seenApps.add(app.appId);
    apps.push(appOf(app));
  }

  const probes: SharedProbe[] = [
    ...report.observations.http.filter((p) => isShareableId(p.id)).map(httpProbeOf),
    ...report.observations.ice.filter((p) => isShareableId(p.id)).map(iceProbeOf),
  ];

  const quality = report.quality === undefined ? undefined : qualityOf(report.quality);
  const shared: SharedReport = {
    schema: SHARED_REPORT_SCHEMA_VERSION,
    id: opts.id,
    hour: hourOf(report.startedAt),
    extensionVersion: extensionVersionOf(report.extensionVersion),
    catalogVersion: catalogVersionOf(report.catalogVersion),
    browser: { family: report.browser.family, major: clamp(Math.trunc(report.browser.major), 1, 999) },
    apps: apps.slice(0, MAX_SHARED_APPS),
    ...(report.overall === undefined
      ? {}
      : {
          overall: {
            verdict: report.overall.verdict,
            confidence: report.overall.confidence,
            reasons: [...new Set(report.overall.reasons)],
          },
        }),
    probes: probes.slice(0, MAX_SHARED_PROBES),
    ...(quality === undefined ? {} : { quality }),
    ...(report.observations.nat === undefined ? {} : { nat: report.observations.nat.mapping }),
    evidence: evidenceOf(report.observations),
  };
  return v.parse(SharedReportSchema, shared);
}
