// Turns what one ICE probe (one URL, one RTCPeerConnection) saw into an IceProbeResult (browser-behaviour.md §3-§5).
import type { Failure } from './failure';
import { isTurnPortAllowed, parseIceUrl, type IceUrl } from './ice-url';
import type { IceOutcome, IceProbeResult } from './report';

/** One `icecandidateerror`, timed from the start of gathering. */
export interface IceErrorEvent {
  code: number;
  /** `errorText`; Firefox ESR 153 leaves it empty. */
  text: string;
  ms: number;
}

/** Everything the prober saw for one URL. Times are ms from the start of gathering. */
export interface IceObservation {
  id: string;
  url: string;
  firstSrflxMs?: number;
  firstRelayMs?: number;
  /** Every icecandidateerror for this URL, in any order. */
  errors?: readonly IceErrorEvent[];
  gatheringCompleteMs?: number;
  /** A UDP host candidate appeared: the browser had a socket to send STUN from. */
  udpHostCandidate?: boolean;
  /** Our own deadline: anything later is ignored, nothing before it means "filtered". */
  deadlineMs: number;
}

/** What one error event says on its own. */
type ErrorMeaning =
  | { kind: 'noise' }
  /** The server sent a STUN/TURN error response: it is reachable over this transport. */
  | { kind: 'server'; code: number }
  /** The browser refused the TURN port itself (a catalog bug, not a network result). */
  | { kind: 'refused-port'; code: number }
  /**
   * The browser gave up on the server (701). `settles` is false when the browser may still hear from the same
   * server over another address (Firefox's reasonless 701, below).
   */
  | { kind: 'gave-up'; code: number; outcome: IceOutcome; failure: Failure; settles: boolean };

// Chrome reports STUN Binding errors with only the last two digits of the code ([LIBWEBRTC],
// [COTURN-891]): a server that demands auth shows errorCode 1. Only 1 → 401 is documented and
// observed; other truncated codes are kept as reported rather than guessed.
const TRUNCATED_STUN_CODES: Readonly<Record<number, number>> = { 1: 401 };

function meaningOf(error: IceErrorEvent, url: IceUrl): ErrorMeaning {
  const { code } = error;
  const text = error.text.toLowerCase();
  if (code === 500 && (text.includes('disallowed port') || (url.scheme !== 'stun' && !isTurnPortAllowed(url.port)))) {
    return { kind: 'refused-port', code };
  }
  if (code >= 300 && code < 700) return { kind: 'server', code };
  if (code >= 0 && code < 100) return { kind: 'server', code: TRUNCATED_STUN_CODES[code] ?? code };
  // 701, and any other code outside the STUN range, comes from the browser, not the server.
  if (text.includes('address is incompatible')) {
    // An address-family mismatch (e.g. an IPv6 socket for an IPv4-only server); another socket decides.
    return { kind: 'noise' };
  }
  if (text.includes('so many peerconnections')) {
    // Chrome's cap on RTCPeerConnections in one process (500, closed ones counted until garbage
    // collection): this device refused the probe, the network never saw it.
    return { kind: 'gave-up', code, outcome: 'unreachable', failure: 'blocked_locally', settles: true };
  }
  if (text.includes('host lookup')) {
    return { kind: 'gave-up', code, outcome: 'unreachable', failure: 'dns_lookup_error', settles: true };
  }
  if (text.includes('timed out')) {
    // The browser's own give-up (Chrome ~40 s, Firefox ~11 s): no answer, most likely filtered.
    return { kind: 'gave-up', code, outcome: 'filtered', failure: 'generic_timeout_error', settles: true };
  }
  if (text.includes('failed to establish connection')) {
    // Chrome's text for a TCP connect or TLS handshake (certificate included) failure.
    return { kind: 'gave-up', code, outcome: 'unreachable', failure: connectFailure(url), settles: true };
  }
  if (text === '') {
    // Firefox (ESR 153) gives no reason and may fire a 701 for one address of a server while another still
    // answers: `turns:localhost` against coturn on 127.0.0.1 gave a 701, then the server's 401 18 ms later. So
    // one 701 settles nothing; Firefox completes gathering right after its last attempt. Over TCP/TLS a fast one is a refused connect or a failed TLS handshake
    // (certificate included), what Chrome calls "Failed to establish connection"; over UDP it is the ~11 s
    // give-up or a failed lookup, which the text cannot tell apart.
    const failure: Failure = url.transport === 'udp' ? 'unknown_failure' : connectFailure(url);
    return { kind: 'gave-up', code, outcome: 'unreachable', failure, settles: false };
  }
  return { kind: 'gave-up', code, outcome: 'unreachable', failure: 'unknown_failure', settles: true };
}

/** A connection-oriented attempt that failed before the server said anything. */
function connectFailure(url: IceUrl): Failure {
  return url.transport === 'tls' ? 'ssl_failed_handshake' : 'connection_refused';
}

/**
 * Whether an error event settles the probe. The prober resolves on the first srflx, relay or
 * decisive error (browser-behaviour.md §5) and keeps waiting after noise and after a give-up that
 * another address of the same server may still overturn.
 */
export function isDecisiveIceError(error: IceErrorEvent, url: string): boolean {
  const parsed = parseIceUrl(url);
  if (parsed === null) return true;
  const meaning = meaningOf(error, parsed);
  switch (meaning.kind) {
    case 'noise':
      return false;
    case 'gave-up':
      return meaning.settles;
    case 'server':
    case 'refused-port':
      return true;
    default: {
      const unknown: never = meaning;
      throw new Error(`unknown ICE error meaning ${JSON.stringify(unknown)}`);
    }
  }
}

function earliest<T extends { ms: number }>(items: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || item.ms < best.ms) best = item;
  return best;
}

/**
 * Precedence: any candidate beats any error (one interface may fail while another works); a
 * server's error response beats the browser's give-up; then gathering-complete; then the deadline.
 * @throws RangeError when `url` is not a stun:/turn:/turns: URL (validate with parseIceUrl first).
 */
export function classifyIce(observation: IceObservation): IceProbeResult {
  const url = parseIceUrl(observation.url);
  if (url === null) throw new RangeError(`not an ICE server URL: ${observation.url}`);
  const { deadlineMs } = observation;
  const base = { id: observation.id, scheme: url.scheme, transport: url.transport, port: url.port };
  const inTime = (ms: number | undefined): ms is number => ms !== undefined && ms >= 0 && ms <= deadlineMs;

  const { firstSrflxMs, firstRelayMs } = observation;
  if (inTime(firstRelayMs) && (!inTime(firstSrflxMs) || firstRelayMs <= firstSrflxMs)) {
    return { ...base, outcome: 'reachable', evidence: 'relay', ms: firstRelayMs };
  }
  if (inTime(firstSrflxMs)) return { ...base, outcome: 'reachable', evidence: 'srflx', ms: firstSrflxMs };

  const meanings = (observation.errors ?? [])
    .filter((error) => inTime(error.ms))
    .map((error) => ({ ms: error.ms, meaning: meaningOf(error, url) }));

  const server = earliest(meanings.flatMap((m) => (m.meaning.kind === 'server' ? [{ ms: m.ms, code: m.meaning.code }] : [])));
  if (server) {
    return { ...base, outcome: 'reachable', evidence: 'server-error', errorCode: server.code, ms: server.ms };
  }
  const refused = earliest(
    meanings.flatMap((m) => (m.meaning.kind === 'refused-port' ? [{ ms: m.ms, code: m.meaning.code }] : [])),
  );
  if (refused) {
    // Chrome generates this 500 itself before sending anything; the evidence value is the closest
    // the schema has, `failure: unsafe_port` is what marks it as the browser's refusal.
    return {
      ...base,
      outcome: 'unreachable',
      evidence: 'server-error',
      errorCode: refused.code,
      failure: 'unsafe_port',
      ms: refused.ms,
    };
  }
  const gaveUp = earliest(
    meanings.flatMap((m) => (m.meaning.kind === 'gave-up' ? [{ ms: m.ms, meaning: m.meaning }] : [])),
  );
  if (gaveUp) {
    return {
      ...base,
      outcome: gaveUp.meaning.outcome,
      evidence: 'error-701',
      errorCode: gaveUp.meaning.code,
      failure: gaveUp.meaning.failure,
      ms: gaveUp.ms,
    };
  }
  if (inTime(observation.gatheringCompleteMs)) {
    // A stun: server on a host without NAT answers with our own address, and the browser drops an
    // srflx equal to a host candidate (browser-behaviour.md §6): gathering completes without an error
    // only because the server answered. That needs a UDP socket to have existed; a policy such as
    // disable_non_proxied_udp completes gathering with no socket at all. A TURN URL ends here when the
    // browser never tried the server: Firefox ESR 153 skips `turns:` to an IP address (no TLS name to
    // check) and completes gathering at once; target-outcome.ts reads that as no evidence.
    const answered = url.scheme === 'stun' && url.transport === 'udp' && observation.udpHostCandidate === true;
    return { ...base, outcome: answered ? 'reachable' : 'unreachable', evidence: 'gathering-complete', ms: observation.gatheringCompleteMs };
  }
  return { ...base, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: deadlineMs };
}

/** The result for a probe whose prober never answered before our deadline. */
export function iceDeadlineResult(id: string, url: string, deadlineMs: number): IceProbeResult | null {
  const parsed = parseIceUrl(url);
  if (parsed === null) return null;
  return classifyIce({ id, url, deadlineMs });
}
