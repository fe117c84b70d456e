// Judges one app: messaging (its signalling hosts) and calls (its media path) apart, then one verdict.
import { isOwnMedia, UNVERIFIED_CONFIDENCE, type App, type Confidence } from './catalog';
import type { Transport } from './ice-url';
import { parseIceUrl } from './ice-url';
import { hasBaseline, type NetworkContext } from './network-context';
import { adviceForReasons, maxConfidence, minConfidence, orderReasons, type Reason } from './reasons';
import type { AppVerdict, DnsCheck, HttpProbeResult, IceProbeResult, Reachability } from './report';
import { portsEvidence, type PortsEvidence } from './reflection';
import { httpOutcome, iceOutcome, unverifiedOutcome, type FailureReason, type TargetOutcome } from './target-outcome';

interface Part {
  reach: Reachability;
  confidence: Confidence;
  reasons: Reason[];
}

/** The probe results an app needs, looked up by target id. */
export interface AppEvidence {
  http: ReadonlyMap<string, HttpProbeResult>;
  ice: ReadonlyMap<string, IceProbeResult>;
  dns: ReadonlyMap<string, DnsCheck>;
  /**
   * The ports the check planned to reflect (catalog `reflection`), when the judge has that catalog: each app is then
   * judged on the sample it was planned, and a planned port without a result leaves its ports unsaid. Absent (the
   * collector, which has no relay), the ports are read back from the results.
   */
  reflected?: ReadonlySet<number>;
}

/** Failures that are a filter's signature rather than a host being down: one target is enough. */
const INTERFERENCE: ReadonlySet<FailureReason> = new Set<FailureReason>(['DNS_TAMPERED', 'TLS_INTERFERENCE', 'CONNECTION_RESET']);

/**
 * Messaging: blocked only when every signalling host failed; when some answer it is partial,
 * never blocked (one dead endpoint is churn, OONI 2020; yet partial blocks break apps, Brazil 2023).
 * Confidence: all failing on ≥ 2 hosts, or one host with an interference signature, is high.
 */
function judgeMessaging(outcomes: readonly TargetOutcome[]): Part {
  const failures = outcomes.flatMap((o) => (o.kind === 'failed' ? [o.reason] : []));
  const answered = outcomes.filter((o) => o.kind === 'ok').length;
  const notes: Reason[] = outcomes.some((o) => o.kind === 'local') ? ['LOCAL_INTERFERENCE'] : [];
  if (answered === 0 && failures.length === 0) {
    const gone: Reason[] = outcomes.some((o) => o.kind === 'gone') ? ['DNS_NXDOMAIN'] : [];
    return { reach: 'unknown', confidence: 'low', reasons: [...notes, ...gone] };
  }
  if (failures.length === 0) return { reach: 'reachable', confidence: 'high', reasons: notes };
  if (answered === 0) {
    const strong = failures.length >= 2 || failures.some((reason) => INTERFERENCE.has(reason));
    return { reach: 'blocked', confidence: strong ? 'high' : 'medium', reasons: [...failures, ...notes] };
  }
  return { reach: 'partial', confidence: 'medium', reasons: [...failures, 'PARTIAL', ...notes] };
}

/** Why an app's UDP media path failed, as far as the evidence tells. call-ports: its own ports, through our relay. */
type UdpCause = 'network-udp' | 'stun-filtered' | 'ports-blocked' | 'call-ports' | 'app';

/**
 * What a transport's status rests on, best first (DESIGN.md "Tested vs inferred"): the app's own servers; its
 * documented call ports through our relay's reflector; the generic probes.
 */
type EvidenceKind = 'own' | 'reflected' | 'inferred';

interface TransportStatus {
  transport: Transport;
  /** impaired: some of the app's UDP ports are silent and none of them is known to answer. */
  status: 'ok' | 'failed' | 'impaired' | 'unknown';
  cause?: UdpCause;
  evidence: EvidenceKind;
  /** ok on the app's own servers, but only on unverified ones (catalog `unverified`): at most UNVERIFIED_CONFIDENCE. */
  unverified?: true;
}

/** One of the app's own media probes, read as evidence. */
interface OwnProbe {
  transport: Transport;
  port: number;
  /** The catalog marks the server unverified: its outcome is already read as unverifiedOutcome. */
  unverified: boolean;
  outcome: TargetOutcome;
}

function ownTransportStatus(transport: Transport, probes: readonly OwnProbe[], network: NetworkContext): TransportStatus | undefined {
  const evidence = probes.filter((p) => p.outcome.kind === 'ok' || p.outcome.kind === 'failed');
  if (evidence.length === 0) return undefined;
  const answered = evidence.filter((p) => p.outcome.kind === 'ok');
  if (answered.length > 0) {
    return { transport, status: 'ok', evidence: 'own', ...(answered.every((p) => p.unverified) ? { unverified: true as const } : {}) };
  }
  if (transport !== 'udp') return { transport, status: 'failed', cause: 'app', evidence: 'own' };
  const { udp } = network;
  let cause: UdpCause = 'app';
  if (udp.state === 'silent') cause = udp.quic ? 'stun-filtered' : 'network-udp';
  else if (udp.state === 'ports-blocked' && evidence.every((p) => udp.silentPorts.has(p.port))) cause = 'ports-blocked';
  return { transport, status: 'failed', cause, evidence: 'own' };
}

/** UDP judged from the app's call ports reflected by our relay, when reflection could tell (reflection.ts). */
function reflectedTransportStatus(transport: Transport, ports: PortsEvidence): TransportStatus | undefined {
  if (transport !== 'udp') return undefined;
  switch (ports.kind) {
    case 'open':
      return { transport, status: 'ok', evidence: 'reflected' };
    case 'blocked':
      return { transport, status: 'failed', cause: 'call-ports', evidence: 'reflected' };
    case 'none':
      return undefined;
    default: {
      const unreachable: never = ports;
      return unreachable;
    }
  }
}

/** A transport the app has no probe for, judged from the generic probes. */
function inferredTransportStatus(app: App, transport: Transport, network: NetworkContext): TransportStatus {
  const inferred = (status: TransportStatus['status'], cause?: UdpCause): TransportStatus => ({
    transport,
    status,
    evidence: 'inferred',
    ...(cause === undefined ? {} : { cause }),
  });
  if (transport !== 'udp') {
    const evidence = transport === 'tcp' ? network.tcp : network.tls;
    if (evidence !== 'unknown') return inferred(evidence);
    // No TURN over this transport was probed: working HTTPS is the best sign TCP/TLS 443 passes.
    return inferred(network.controlsHealthy ? 'ok' : 'unknown');
  }
  const { udp } = network;
  switch (udp.state) {
    case 'unknown':
      return inferred('unknown');
    case 'open':
      return inferred('ok');
    case 'silent':
      // Under STUN filtering an app with its own UDP protocol may pass: we cannot know which do.
      return udp.quic ? inferred('unknown', 'stun-filtered') : inferred('failed', 'network-udp');
    case 'ports-blocked': {
      const hit = app.udpPorts.some((port) => udp.silentPorts.has(port));
      const known = app.udpPorts.some((port) => udp.answeredPorts.has(port));
      // Silence on some of the app's ports never makes it "blocked": its other ports were not probed.
      return hit && !known ? inferred('impaired', 'ports-blocked') : inferred('ok');
    }
    default: {
      const unreachable: never = udp.state;
      return unreachable;
    }
  }
}

/**
 * How far a transport's status can be trusted: reflection through our relay is medium whatever the app; the app's own
 * servers at its mediaConfidence, at most UNVERIFIED_CONFIDENCE when only unverified ones answered.
 */
function confidenceOf(app: App, status: TransportStatus): Confidence {
  switch (status.evidence) {
    case 'own':
      return status.unverified ? minConfidence(app.mediaConfidence, UNVERIFIED_CONFIDENCE) : app.mediaConfidence;
    case 'reflected':
      return 'medium';
    case 'inferred':
      return 'low';
    default: {
      const unreachable: never = status.evidence;
      return unreachable;
    }
  }
}

/**
 * Calls: the app's transports in its order of preference, each from its own media probes when it
 * has them, else (UDP) from its call ports reflected by our relay (MEDIA_REFLECTED, medium
 * confidence), else inferred from the generic ones (MEDIA_INFERRED, low confidence). The first
 * transport working is "reachable"; a later one working is a fallback ("partial"); all failing
 * is "blocked". A media target on a control's server (catalog sharedWith) is not the app's own:
 * it feeds the generic evidence (network-context.ts) as the control does, so it can neither make
 * the app read as tested directly and lend it its mediaConfidence, nor, when that one server is
 * down, make the app's calls read as blocked. An unverified server of the app's own (catalog `unverified`) counts
 * only when it answered: then the app is tested on its own server (at most UNVERIFIED_CONFIDENCE); otherwise the app
 * is judged as if the server were not in the catalog (reflected or inferred), never RELAY_UNREACHABLE from it.
 */
function judgeCalls(app: App, evidence: AppEvidence, network: NetworkContext): Part {
  const own = app.media.filter(isOwnMedia).flatMap((target): OwnProbe[] => {
    const url = parseIceUrl(target.url);
    const result = evidence.ice.get(target.id);
    if (url === null || result === undefined) return [];
    const outcome = iceOutcome(result, evidence.dns.get(target.id));
    const unverified = target.unverified !== undefined;
    return [{ transport: url.transport, port: url.port, unverified, outcome: unverified ? unverifiedOutcome(outcome) : outcome }];
  });
  const ports = portsEvidence(app, evidence.ice, evidence.reflected);
  const statuses = app.transports.map(
    (transport) =>
      ownTransportStatus(
        transport,
        own.filter((p) => p.transport === transport),
        network,
      ) ??
      reflectedTransportStatus(transport, ports) ??
      inferredTransportStatus(app, transport, network),
  );
  const [first, ...rest] = statuses;
  const fellBack = rest.some((s) => s.status === 'ok');
  let reach: Reachability;
  if (first?.status === 'ok') reach = 'reachable';
  else if (first?.status === 'impaired' || fellBack) reach = 'partial';
  else if (statuses.every((s) => s.status === 'failed')) reach = 'blocked';
  else reach = 'unknown';

  const reasons: Reason[] = [];
  const udp = statuses.find((s) => s.transport === 'udp');
  // Only a UDP path known to fail makes the fallback a finding; "unknown" or "impaired" UDP may still carry the call.
  const udpLost = udp?.status === 'failed';
  const udpCause = udp?.cause;
  switch (udpCause) {
    case 'network-udp':
      reasons.push(reach === 'blocked' ? 'UDP_BLOCKED' : 'UDP_BLOCKED_TCP_FALLBACK');
      break;
    case 'stun-filtered':
      reasons.push('STUN_FILTERED');
      break;
    case 'ports-blocked':
      reasons.push('STUN_PORTS_BLOCKED');
      break;
    case 'call-ports':
      reasons.push('CALL_PORTS_BLOCKED');
      break;
    case 'app':
    case undefined:
      break;
    default: {
      const unreachable: never = udpCause;
      return unreachable;
    }
  }
  if (udpLost && fellBack && first?.transport === 'udp') reasons.push('UDP_BLOCKED_TCP_FALLBACK');
  // The app's own servers failing where generic UDP (or no network cause) explains nothing.
  if (reach === 'blocked' && statuses.some((s) => s.evidence === 'own' && s.cause === 'app')) reasons.push('RELAY_UNREACHABLE');
  if (own.some((p) => p.outcome.kind === 'local')) reasons.push('LOCAL_INTERFERENCE');
  if (statuses.some((s) => s.evidence === 'reflected')) reasons.push('MEDIA_REFLECTED');
  // Tested directly: the app has a server of its own, verified or heard from in this check.
  else if (!own.some((p) => !p.unverified || p.outcome.kind === 'ok')) reasons.push('MEDIA_INFERRED');

  // Confidence rests on the transports that decided, the weakest of them (confidenceOf).
  let deciding: readonly TransportStatus[];
  if (reach === 'reachable' || first?.status === 'impaired') deciding = first === undefined ? [] : [first];
  else if (reach === 'partial') deciding = [first, rest.find((s) => s.status === 'ok')].filter((s) => s !== undefined);
  else deciding = statuses;
  const confidence = reach === 'unknown' ? 'low' : minConfidence(...deciding.map((s) => confidenceOf(app, s)));
  return { reach, confidence, reasons };
}

function unknown(app: App, reason: Reason): AppVerdict {
  return {
    appId: app.id,
    verdict: 'unknown',
    confidence: 'low',
    messaging: 'unknown',
    calls: 'unknown',
    reasons: [reason],
    advice: adviceForReasons([reason]),
  };
}

/** An app some of whose targets were never probed (the check ran out of time, or was gated): nothing to say. */
function notMeasured(app: App): AppVerdict {
  return { appId: app.id, verdict: 'unknown', confidence: 'low', messaging: 'unknown', calls: 'unknown', reasons: [], advice: [] };
}

/**
 * One app's verdict, or undefined while any of its targets has no result (once the check is over, `final`:
 * unknown, with no reason, since nothing was measured) (the popup shows it as
 * pending). Rules, in order:
 * 1. offline / captive portal: unknown (never "blocked").
 * 2. messaging blocked ⇒ blocked: calls need signalling (reasons add the calls' only if calls fail too).
 * 3. messaging or calls unknown ⇒ unknown.
 * 4. calls blocked ⇒ blocked.
 * 5. anything partial, or a quality finding ⇒ degraded; else works.
 * Confidence: blocked rests on the failing part; works/degraded on the weaker part; unknown is
 * low; everything is low when no control answered as expected (no baseline) or the controls'
 * own TLS failed.
 */
export function judgeApp(
  app: App,
  evidence: AppEvidence,
  network: NetworkContext,
  qualityFindings: readonly Reason[],
  final = false,
): AppVerdict | undefined {
  const signalling = app.signalling.map((target) => {
    const result = evidence.http.get(target.id);
    return result === undefined ? undefined : httpOutcome(target, result, evidence.dns.get(target.id));
  });
  // The gate comes first: offline or behind a portal, no app's own probes are needed to say so, and a check that
  // stops there leaves some unprobed (a plain-TCP TURN probe waiting for its TLS sibling's second pass).
  switch (network.gate) {
    case 'offline':
      return unknown(app, 'OFFLINE');
    case 'captive':
      return unknown(app, 'CAPTIVE_PORTAL');
    case undefined:
      break;
    default: {
      const unreachable: never = network.gate;
      return unreachable;
    }
  }
  const complete = (outcomes: typeof signalling): outcomes is TargetOutcome[] => outcomes.every((o) => o !== undefined);
  if (!complete(signalling) || app.media.some((target) => !evidence.ice.has(target.id))) return final ? notMeasured(app) : undefined;

  // A user's own relay has no messaging: its verdict rests on calls alone, and messaging is reported unknown.
  const relayOnly = app.signalling.length === 0;
  const messaging: Part = relayOnly ? { reach: 'reachable', confidence: 'high', reasons: [] } : judgeMessaging(signalling);
  const calls = judgeCalls(app, evidence, network);
  let verdict: AppVerdict['verdict'];
  let confidence: Confidence;
  let reasons: Reason[];
  if (messaging.reach === 'blocked') {
    verdict = 'blocked';
    const callsToo = calls.reach === 'blocked';
    reasons = callsToo ? [...messaging.reasons, ...calls.reasons] : messaging.reasons;
    confidence = callsToo ? maxConfidence(messaging.confidence, calls.confidence) : messaging.confidence;
  } else if (messaging.reach === 'unknown' || calls.reach === 'unknown') {
    verdict = 'unknown';
    confidence = 'low';
    reasons = [...messaging.reasons, ...calls.reasons];
  } else if (calls.reach === 'blocked') {
    verdict = 'blocked';
    confidence = calls.confidence;
    reasons = [...calls.reasons, ...messaging.reasons];
  } else {
    const partial = messaging.reach === 'partial' || calls.reach === 'partial';
    verdict = partial || qualityFindings.length > 0 ? 'degraded' : 'works';
    confidence = minConfidence(messaging.confidence, calls.confidence);
    reasons = [...messaging.reasons, ...calls.reasons, ...qualityFindings];
  }
  const ordered = orderReasons(reasons);
  // A name DoH cannot resolve either is a stale catalog entry: another resolver would not help.
  const actionable = verdict === 'unknown' ? ordered.filter((r) => r !== 'DNS_NXDOMAIN') : ordered;
  const advice = adviceForReasons(actionable);
  if (verdict === 'blocked' && mayBeDnsRedirect(app, evidence) && !advice.includes('TRY_OTHER_DNS')) advice.unshift('TRY_OTHER_DNS');
  return {
    appId: app.id,
    verdict,
    confidence: hasBaseline(network) ? confidence : 'low',
    messaging: relayOnly ? 'unknown' : messaging.reach,
    calls: calls.reach,
    reasons: ordered,
    advice,
  };
}

/**
 * A certificate for another name is what a DNS block page presents, and also what an interceptor on
 * the path presents. Telling them apart needs the address the browser connected to, which Chrome
 * does not report with an error (browser-behaviour.md §8). Unless a DNS check cleared the name,
 * another resolver is worth a try before a VPN: it is free and fixes the common case.
 */
function mayBeDnsRedirect(app: App, evidence: AppEvidence): boolean {
  return app.signalling.some(
    (target) => evidence.http.get(target.id)?.failure === 'ssl_invalid_hostname' && evidence.dns.get(target.id)?.verdict !== 'consistent',
  );
}

/** Whether an open network path exists to this app at all: used to point users of blocked apps elsewhere. */
export function isUsable(verdict: AppVerdict): boolean {
  return verdict.verdict === 'works' || verdict.verdict === 'degraded';
}
