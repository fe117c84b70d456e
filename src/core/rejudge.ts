// Judges a stored shared report again with the current engine: the observations are rebuilt from what the report carries.
import type { Catalog } from './catalog';
import { parseIceUrl } from './ice-url';
import type { HttpProbeResult, IceProbeResult, LossResult, Observations, RttResult } from './report';
import { isReflectionId, reflectedPortOf } from './reflection';
import type { SharedEvidence, SharedReport } from './shared-report';
import { ENGINE_VERSION, judge } from './verdict';
import type { Judgement } from './verdict';

export type Judge = (catalog: Catalog, obs: Observations, options: { final?: boolean }) => Judgement;

/** Where each ICE target id of the catalog points: its scheme and port are not in the shared report. */
function iceTargetsOf(catalog: Catalog): Map<string, { scheme: IceProbeResult['scheme']; port: number }> {
  const targets = [...catalog.controls.stun, ...catalog.apps.flatMap((app) => app.media)];
  const byId = new Map<string, { scheme: IceProbeResult['scheme']; port: number }>();
  for (const target of targets) {
    const url = parseIceUrl(target.url);
    if (url !== null) byId.set(target.id, { scheme: url.scheme, port: url.port });
  }
  return byId;
}

/**
 * A reflection probe (reflection.ts) is STUN to our relay: its id names the port; the control's port is not carried,
 * and nothing in the engine reads it (reflection is judged by id).
 */
function reflectionTarget(id: string): { scheme: IceProbeResult['scheme']; port: number } | undefined {
  if (!isReflectionId(id)) return undefined;
  return { scheme: 'stun', port: reflectedPortOf(id) ?? 0 };
}

/** The reasons only reflection gives: a verdict that holds one was judged from probes the report may not carry. */
const REFLECTION_REASONS: ReadonlySet<string> = new Set(['MEDIA_REFLECTED', 'CALL_PORTS_BLOCKED']);

function rttOf(rtt: NonNullable<SharedEvidence['rtt']>): RttResult {
  return { targetId: rtt.targetId, samples: [], medianMs: rtt.medianMs, ...(rtt.jitterMs === undefined ? {} : { jitterMs: rtt.jitterMs }) };
}

/** The counts the engine reads (loss figure, and whether a silent target answered its burst); the burst's duration is not shared. */
function lossOf(loss: NonNullable<SharedEvidence['loss']>): LossResult {
  return { targetId: loss.targetId, exchanges: loss.exchanges, answered: loss.answered, sent: loss.sent, lost: loss.lost, ms: 0 };
}

/**
 * The observations a shared report carries, in the engine's shape, or undefined for a report
 * without evidence (sent by an extension before re-judging existed): its verdicts cannot be
 * derived again and stay as sent. Probes of targets the catalog does not know are left out.
 */
export function observationsOf(catalog: Catalog, report: SharedReport): Observations | undefined {
  const evidence = report.evidence;
  if (evidence === undefined) return undefined;
  const iceTargets = iceTargetsOf(catalog);
  const http: HttpProbeResult[] = [];
  const ice: IceProbeResult[] = [];
  for (const probe of report.probes) {
    if (probe.kind === 'http') {
      http.push({
        id: probe.targetId,
        outcome: probe.outcome,
        ms: probe.ms,
        ...(probe.failure === undefined ? {} : { failure: probe.failure }),
        ...(probe.status === undefined ? {} : { status: probe.status }),
        ...(probe.h3 === true ? { timing: { protocol: 'h3' } } : {}),
        // The engine asks only whether the browser named the error (net::, NS_); the text never left the device.
        ...(probe.unnamed === true ? { rawError: 'not named by the browser' } : {}),
        ...(probe.attempts === undefined ? {} : { attempts: probe.attempts }),
      });
      continue;
    }
    const target = iceTargets.get(probe.targetId) ?? reflectionTarget(probe.targetId);
    if (target === undefined) continue;
    ice.push({
      id: probe.targetId,
      scheme: target.scheme,
      transport: probe.transport,
      port: target.port,
      outcome: probe.outcome,
      evidence: probe.evidence,
      ms: probe.ms,
      ...(probe.errorCode === undefined ? {} : { errorCode: probe.errorCode }),
      ...(probe.failure === undefined ? {} : { failure: probe.failure }),
      ...(probe.attempts === undefined ? {} : { attempts: probe.attempts }),
      ...(probe.residual === true ? { residual: true as const } : {}),
    });
  }
  return {
    http,
    ice,
    dns: evidence.dns.map((check) => ({ ...check, host: '' })),
    ...(report.nat === undefined
      ? {}
      : { nat: { mapping: report.nat, answered: evidence.natAnswered ?? [], srflxCount: 0, ipv6: false, ms: 0 } }),
    ...(evidence.rtt === undefined ? {} : { rtt: rttOf(evidence.rtt) }),
    ...(evidence.loadedRttMs === undefined || evidence.rtt === undefined
      ? {}
      : { loadedRtt: { targetId: evidence.rtt.targetId, samples: [], medianMs: evidence.loadedRttMs } }),
    ...(evidence.loss === undefined ? {} : { loss: lossOf(evidence.loss) }),
    ...(evidence.paths === undefined ? {} : { paths: { rtt: evidence.paths.rtt.map(rttOf), loss: evidence.paths.loss.map(lossOf) } }),
    ...(evidence.quicH3 === true ? { quic: [{ targetId: 'quic', attempts: 0, protocol: 'h3', ms: 0 }] } : {}),
  };
}

/**
 * The report judged again by `engine` (the current one unless a test injects another), or
 * undefined when it cannot be (no evidence) or was already judged by this version or a newer one.
 * Only the apps the report holds are judged again; an app the engine cannot judge from the
 * evidence keeps its verdict. The probes, quality and evidence stay as sent, `evidence.engine` says
 * which engine judged the verdicts now stored.
 */
export function rejudge(
  catalog: Catalog,
  report: SharedReport,
  engine: { version: number; judge: Judge } = { version: ENGINE_VERSION, judge },
): SharedReport | undefined {
  if (report.evidence === undefined || report.evidence.engine >= engine.version) return undefined;
  const obs = observationsOf(catalog, report);
  if (obs === undefined) return undefined;
  const judgement = engine.judge(catalog, obs, { final: true });
  const fresh = new Map(judgement.apps.map((app) => [app.appId, app]));
  // Collectors before engine 2 dropped reflection probes when storing: such a report's reflected verdicts stay as sent,
  // and so does its overall answer, which rests on them too.
  const reflectionKept = report.probes.some((probe) => isReflectionId(probe.targetId));
  const keptAsSent = (app: SharedReport['apps'][number]) => !reflectionKept && app.reasons.some((reason) => REFLECTION_REASONS.has(reason));
  const anyKept = report.apps.some(keptAsSent);
  return {
    ...report,
    apps: report.apps.map((app) => {
      const again = fresh.get(app.appId);
      if (again === undefined || keptAsSent(app)) return app;
      return {
        appId: app.appId,
        verdict: again.verdict,
        confidence: again.confidence,
        messaging: again.messaging,
        calls: again.calls,
        reasons: [...new Set(again.reasons)],
      };
    }),
    ...(report.overall === undefined || anyKept
      ? {}
      : { overall: { verdict: judgement.overall.verdict, confidence: judgement.overall.confidence, reasons: [...new Set(judgement.overall.reasons)] } }),
    evidence: { ...report.evidence, engine: engine.version },
  };
}
