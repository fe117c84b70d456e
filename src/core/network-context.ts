// What the controls and the generic transports say about the connection as a whole, before any app is judged.
import type { Catalog, HttpTarget } from './catalog';
import type { Failure } from './failure';
import { isHttp3 } from './http-timing';
import { parseIceUrl } from './ice-url';
import { orderReasons, type Reason } from './reasons';
import type { HttpProbeResult, IceProbeResult, Observations } from './report';
import { iceOutcome, unverifiedOutcome, type TargetOutcome } from './target-outcome';

/** A condition under which no app can be judged. */
export type Gate = 'offline' | 'captive';

/**
 * UDP as seen through STUN/TURN-over-UDP probes (controls and apps' own):
 * - open: every probed port answered somewhere;
 * - ports-blocked: some ports never answered while another port did;
 * - silent: nothing answered on any port;
 * - unknown: no UDP evidence (not probed yet, or only local/void results).
 */
export type UdpState = 'unknown' | 'open' | 'ports-blocked' | 'silent';

/** Whether some probe over a transport (TURN over TCP, TURN over TLS) answered anywhere. */
export type TransportEvidence = 'ok' | 'failed' | 'unknown';

export interface NetworkContext {
  gate?: Gate;
  /** Some control answered exactly as on a healthy network, so failures elsewhere are not our link's. */
  controlsHealthy: boolean;
  /** Some probe was stopped on this device (extension, policy, proxy). */
  localInterference: boolean;
  /** A control's TLS failed (not the captive-portal name mismatch): interception, or a wrong clock. */
  controlTlsInterference: boolean;
  udp: {
    state: UdpState;
    answeredPorts: ReadonlySet<number>;
    silentPorts: ReadonlySet<number>;
    /**
     * An HTTP probe negotiated HTTP/3, i.e. QUIC over UDP 443 worked: the only non-STUN UDP a
     * browser shows us. Its absence proves nothing (the browser may simply not have tried QUIC).
     */
    quic: boolean;
  };
  tcp: TransportEvidence;
  tls: TransportEvidence;
  symmetricNat: boolean;
}

const LOCAL_FAILURES: ReadonlySet<Failure> = new Set<Failure>(['blocked_locally', 'proxy_failure']);

type ControlHttp = 'expected' | 'captive-signature' | 'tls' | 'local' | 'failed' | 'down';

function readControlHttp(target: HttpTarget, result: HttpProbeResult): ControlHttp {
  if (result.outcome === 'reachable') {
    // A portal answers every plain-HTTP request itself (200 login page, or a redirect).
    const wrong = target.expectStatus !== undefined && result.status !== undefined && result.status !== target.expectStatus;
    return wrong ? 'captive-signature' : 'expected';
  }
  const { failure } = result;
  if (failure === undefined) return 'failed';
  if (LOCAL_FAILURES.has(failure)) return 'local';
  if (failure === 'network_down') return 'down';
  // A portal intercepting HTTPS presents its own certificate for another name.
  if (failure === 'ssl_invalid_hostname') return 'captive-signature';
  if (failure.startsWith('ssl_')) return 'tls';
  return 'failed';
}

function byId<T extends { id: string }>(results: readonly T[]): Map<string, T> {
  return new Map(results.map((result) => [result.id, result]));
}

function transportEvidence(outcomes: readonly TargetOutcome[]): TransportEvidence {
  if (outcomes.some((o) => o.kind === 'ok')) return 'ok';
  if (outcomes.some((o) => o.kind === 'failed')) return 'failed';
  return 'unknown';
}

export function readNetwork(catalog: Catalog, obs: Observations): NetworkContext {
  const http = byId(obs.http);
  const ice = byId(obs.ice);
  const dnsFor = (id: string) => obs.dns.find((check) => check.targetId === id);

  const controls = catalog.controls.http.flatMap((target) => {
    const result = http.get(target.id);
    return result === undefined ? [] : [readControlHttp(target, result)];
  });
  const controlsHealthy = controls.includes('expected');

  // UDP evidence by port: control STUN (from the NAT run or their own probes) and apps' UDP media.
  const answered = new Set<number>();
  const silent = new Set<number>();
  const natAnswered = new Set(obs.nat?.answered ?? []);
  for (const target of catalog.controls.stun) {
    const url = parseIceUrl(target.url);
    if (url === null || url.transport !== 'udp') continue;
    const result = ice.get(target.id);
    const outcome = result === undefined ? undefined : iceOutcome(result, dnsFor(target.id));
    // A server the NAT probe did not hear from is only silent once its own probe, in the confirmation pass, is too.
    if (natAnswered.has(target.id) || outcome?.kind === 'ok') answered.add(url.port);
    else if (outcome?.kind === 'failed') silent.add(url.port);
  }
  const tcpOutcomes: TargetOutcome[] = [];
  const tlsOutcomes: TargetOutcome[] = [];
  for (const target of catalog.apps.flatMap((app) => app.media)) {
    const url = parseIceUrl(target.url);
    const result = ice.get(target.id);
    if (url === null || result === undefined) continue;
    // An unverified server's answer tells about its port and transport; its silence or failure tells nothing.
    const read = iceOutcome(result, dnsFor(target.id));
    const outcome = target.unverified === undefined ? read : unverifiedOutcome(read);
    switch (url.transport) {
      case 'udp':
        if (outcome.kind === 'ok') answered.add(url.port);
        else if (outcome.kind === 'failed') silent.add(url.port);
        break;
      case 'tcp':
        tcpOutcomes.push(outcome);
        break;
      case 'tls':
        tlsOutcomes.push(outcome);
        break;
      default: {
        const unreachable: never = url.transport;
        return unreachable;
      }
    }
  }
  for (const port of answered) silent.delete(port);

  const anythingAnswered =
    answered.size > 0 ||
    tcpOutcomes.some((o) => o.kind === 'ok') ||
    tlsOutcomes.some((o) => o.kind === 'ok') ||
    catalog.apps.some((app) => app.signalling.some((t) => http.get(t.id)?.outcome === 'reachable'));

  return {
    gate: gateOf(controls, controlsHealthy, anythingAnswered),
    controlsHealthy,
    localInterference: hasLocalFailure(obs.http) || hasLocalFailure(obs.ice),
    controlTlsInterference: controls.includes('tls'),
    udp: {
      state: udpState(answered, silent),
      answeredPorts: answered,
      silentPorts: silent,
      quic: [...obs.http.map((r) => r.timing?.protocol), ...(obs.quic ?? []).map((q) => q.protocol)].some(isHttp3),
    },
    tcp: transportEvidence(tcpOutcomes),
    tls: transportEvidence(tlsOutcomes),
    symmetricNat: obs.nat?.mapping === 'address-dependent',
  };
}

/**
 * Controls first (quality-and-verdicts.md §7.4, blocking-in-the-wild.md §3):
 * - captive: a control shows a portal's signature and none answered as expected;
 * - offline: the OS says so, or every control failed and nothing at all answered (no STUN, no
 *   relay, no app). An allow-list network where some app still answers is not "offline": its apps
 *   are judged, with low confidence because the controls give no baseline.
 */
function gateOf(controls: readonly ControlHttp[], healthy: boolean, anythingAnswered: boolean): Gate | undefined {
  if (healthy) return undefined;
  if (controls.includes('captive-signature')) return 'captive';
  if (controls.includes('down')) return 'offline';
  const allFailed = controls.length > 0 && controls.every((c) => c === 'failed' || c === 'tls');
  return allFailed && !anythingAnswered ? 'offline' : undefined;
}

function hasLocalFailure(results: readonly (HttpProbeResult | IceProbeResult)[]): boolean {
  return results.some((result) => result.failure !== undefined && LOCAL_FAILURES.has(result.failure));
}

function udpState(answered: ReadonlySet<number>, silent: ReadonlySet<number>): UdpState {
  if (answered.size === 0) return silent.size === 0 ? 'unknown' : 'silent';
  return silent.size === 0 ? 'open' : 'ports-blocked';
}

/**
 * Whether failures can be pinned on what was probed: some control answered as on a healthy
 * network, and the controls' own TLS works. Without that (no baseline, a wrong clock, blanket
 * interception) every verdict is low confidence.
 */
export function hasBaseline(network: NetworkContext): boolean {
  return network.gate === undefined && network.controlsHealthy && !network.controlTlsInterference;
}

/** Whether calls that lose UDP can still go over TCP or TLS, as far as any probe shows. */
export function hasTcpFallback(network: NetworkContext): boolean {
  return network.tcp === 'ok' || network.tls === 'ok';
}

/** The network-wide findings, for the overall answer. */
export function networkReasons(network: NetworkContext): Reason[] {
  switch (network.gate) {
    case 'offline':
      return ['OFFLINE'];
    case 'captive':
      return ['CAPTIVE_PORTAL'];
    case undefined:
      break;
    default: {
      const unreachable: never = network.gate;
      return unreachable;
    }
  }
  const reasons: Reason[] = [];
  if (network.localInterference) reasons.push('LOCAL_INTERFERENCE');
  if (network.controlTlsInterference) reasons.push('TLS_INTERFERENCE');
  reasons.push(...udpReasons(network));
  if (network.symmetricNat) reasons.push('SYMMETRIC_NAT');
  return orderReasons(reasons);
}

/**
 * What a browser can and cannot tell about UDP. It only ever sends STUN-framed UDP during ICE
 * (TURN is STUN-framed too), so "every STUN silent on every port and operator" is either a blanket
 * UDP block or STUN filtering by DPI. The one non-STUN UDP evidence is QUIC: if an HTTP probe used
 * HTTP/3, UDP 443 works and STUN is being singled out (STUN_FILTERED). Without it we say
 * UDP_BLOCKED (or UDP_BLOCKED_TCP_FALLBACK when TURN over TCP/TLS answered), knowing it may be DPI.
 */
export function udpReasons(network: NetworkContext): Reason[] {
  const fallback = hasTcpFallback(network);
  switch (network.udp.state) {
    case 'silent':
      if (network.udp.quic) return fallback ? ['STUN_FILTERED', 'UDP_BLOCKED_TCP_FALLBACK'] : ['STUN_FILTERED'];
      return fallback ? ['UDP_BLOCKED_TCP_FALLBACK'] : ['UDP_BLOCKED'];
    case 'ports-blocked':
      return ['STUN_PORTS_BLOCKED'];
    case 'open':
    case 'unknown':
      return [];
    default: {
      const unreachable: never = network.udp.state;
      return unreachable;
    }
  }
}
