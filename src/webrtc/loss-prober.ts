// Loss: a parallel burst of STUN/TURN exchanges with one server, read against the browser's retransmission schedule.
// Candidate strings and addresses stay inside this module; only derived facts are returned.
import type { IceTarget } from '../core/catalog';
import { parseCandidate, socketOf, type HostSocket } from '../core/candidate';
import { countLoss, sequentialSchedule, type Burst } from '../core/loss';
import type { LossResult } from '../core/report';
import { pathProbeKind, type PathProbeKind } from '../core/rtt';
import { roundMs } from '../core/stats';
import { browserProfile } from '../platform/current';
import { hasIceErrorEvents, probeServer } from './ice-prober';
import { openPeerConnection } from './peer-connections';

/**
 * Exchanges per connection: several in Chrome (its limit on connections), one in Firefox (its 100 ms retransmission
 * falls within the spread of its sections' start times); the profiles say why.
 */
const EXCHANGES_PER_CONNECTION = browserProfile.lossExchangesPerConnection;

interface Exchange {
  /** When its first request went out, as far as we can tell, in ms after the connection started. */
  sentMs?: number;
  /** When its first answer of each address family arrived, ms after the connection started. */
  answersMs: number[];
  /** The address families already answered. */
  families: Set<Family>;
}

type Family = 'ipv4' | 'ipv6';

const familyOf = (address: string): Family => (address.includes(':') ? 'ipv6' : 'ipv4');

/**
 * Exchanges in one connection: with bundling off (max-compat) every media section gets its own ICE transport, its
 * own sockets and so its own STUN transactions, and its candidates carry its section's mid. A browser may bind
 * several sockets per section (one per network, and per address family for a dual-stack server); the networks'
 * sockets start a step apart, which would read as a retransmission, so only the first answer of each address family
 * counts: one transaction per family. A lone section is timed from its first host candidate; several are timed from
 * setLocalDescription, because Chrome emits host candidates only once their mDNS names are registered, often after
 * the srflx. Runs until gathering completes or the deadline.
 *
 * The answer to a Binding is an srflx candidate, which names its section. The answer to a TURN Allocate is an
 * icecandidateerror (401), which names no section: Chromium (156, observed in its extension pages) gives the
 * local `port` of the socket that asked (the UDP TURN client shares the host candidate's socket) and an `address`
 * with its last part hidden (`127.0.0.x`), so the port finds the section through that section's UDP host
 * candidate. Firefox gives no address or port; there each connection has one section, so every answer is its own.
 */
async function exchanges(target: IceTarget, kind: PathProbeKind, count: number, deadlineMs: number): Promise<Exchange[]> {
  const connection = await openPeerConnection({ iceServers: [probeServer(target.url)], iceCandidatePoolSize: 0, bundlePolicy: 'max-compat' });
  const { pc } = connection;
  const started = performance.now();
  const byMid = new Map<string, Exchange>();
  /** The UDP host candidates' sockets (Chrome names the asking one in a TURN error), to place TURN answers. */
  const sockets: HostSocket[] = [];
  /** TURN answers by local address and port (null when the browser gives none), placed once gathering ends. */
  const allocateAnswers: { address: string | null; port: number | null; at: number }[] = [];
  let describedMs: number | undefined;
  const exchangeOf = (mid: string): Exchange => {
    const exchange = byMid.get(mid) ?? { answersMs: [], families: new Set() };
    byMid.set(mid, exchange);
    return exchange;
  };
  const answer = (exchange: Exchange, family: Family, at: number): void => {
    if (exchange.families.has(family)) return;
    exchange.families.add(family);
    exchange.answersMs.push(at);
  };
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      connection.close();
      for (const { address, port, at } of allocateAnswers) {
        const socket = socketOf(sockets, address, port);
        if (socket !== undefined) answer(exchangeOf(socket.mid), familyOf(socket.ip), at);
        else if (count === 1) answer(exchangeOf([...byMid.keys()][0] ?? ''), 'ipv4', at);
        // An answer we cannot place (none seen in Chromium 156) is left out: its section then reads as unanswered
        // if nothing else answered it, which is loss we cannot rule out.
      }
      // Sections that produced no candidate at all still count: their request went unanswered.
      const all = [...byMid.values()].map((e) => (count > 1 && describedMs !== undefined ? { ...e, sentMs: describedMs } : e));
      while (all.length < count) all.push({ answersMs: [], families: new Set() });
      resolve(all.slice(0, count));
    };
    const timer = setTimeout(finish, deadlineMs);
    pc.addEventListener('icecandidate', (event) => {
      const candidate = event.candidate;
      if (!candidate?.sdpMid) return;
      const exchange = exchangeOf(candidate.sdpMid);
      const at = performance.now() - started;
      if (candidate.type === 'host') {
        exchange.sentMs ??= at;
        const parsed = parseCandidate(candidate.candidate);
        if (parsed !== undefined && candidate.protocol === 'udp') sockets.push({ ip: parsed.ip, port: parsed.port, mid: candidate.sdpMid });
      }
      if (candidate.type !== 'srflx' || kind !== 'binding') return;
      answer(exchange, parseCandidate(candidate.candidate)?.ip.includes(':') === true ? 'ipv6' : 'ipv4', at);
    });
    if (kind === 'allocate' && hasIceErrorEvents()) {
      pc.addEventListener('icecandidateerror', (event) => {
        const { errorCode, address, port } = event as RTCPeerConnectionIceErrorEvent;
        // A STUN/TURN error code is the server's answer; 701 is the browser giving up.
        if (errorCode >= 300 && errorCode < 700) allocateAnswers.push({ address, port, at: performance.now() - started });
      });
    }
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') finish();
    });
    // A lone exchange uses a data channel: Firefox gathers a second (RTCP) socket for an audio section.
    if (count === 1) pc.createDataChannel('loss');
    else for (let i = 0; i < count; i += 1) pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.createOffer()
      .then((offer) => {
        describedMs = performance.now() - started;
        return pc.setLocalDescription(offer);
      })
      .catch(finish);
  });
}

/**
 * Loss: `exchanges` exchanges with one stun: or turn: UDP server at once, a few connections of many exchanges each.
 * loss.ts reads how late each answer came against the browser's retransmission schedule; a TURN 401 ends two
 * transactions, so its lateness is read against the two in a row. In parallel, so the burst costs one round trip
 * (two and Chrome's 50 ms relay step for TURN) on a clean path and a retransmission interval on a lossy one. An
 * exchange with no answer at all counts as the fewest lost sends that explain its silence.
 * @throws RangeError for a target without a path probe (TCP, TLS: pathProbeKind).
 */
export async function probeLoss(target: IceTarget, count: number, deadlineMs: number): Promise<LossResult> {
  const kind = pathProbeKind(target);
  if (kind === undefined) throw new RangeError(`no loss burst over ${target.url}: only stun: and turn: over UDP`);
  const started = performance.now();
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= EXCHANGES_PER_CONNECTION) sizes.push(Math.min(left, EXCHANGES_PER_CONNECTION));
  const connections = await Promise.all(sizes.map((size) => exchanges(target, kind, size, deadlineMs)));
  // Several sections of one connection share its clock; lone exchanges are each timed from their own send.
  const groups = EXCHANGES_PER_CONNECTION > 1 ? connections : [connections.flat()];
  const transactions = kind === 'allocate' ? 2 : 1;
  const schedule = sequentialSchedule(browserProfile.timing.schedule, transactions);
  const timedFrom = EXCHANGES_PER_CONNECTION > 1 ? 'description' : 'host-candidate';
  const counted = countLoss(groups.map(asBurst(deadlineMs)), schedule, timedFrom, transactions);
  const unanswered = connections.flat().filter((e) => e.answersMs.length === 0).length;
  return {
    targetId: target.id,
    exchanges: count,
    answered: count - unanswered,
    sent: counted?.sent ?? 0,
    lost: counted?.lost ?? 0,
    ms: roundMs(performance.now() - started),
  };
}

/** Exchanges as loss.ts counts them: answers from each one's send; unanswered ones waited from the last send to the deadline. */
function asBurst(deadlineMs: number): (exchanges: readonly Exchange[]) => Burst {
  return (exchanges) => ({
    answeredMs: exchanges.flatMap((e) => e.answersMs.map((at) => Math.max(0, at - (e.sentMs ?? 0)))),
    unanswered: exchanges.filter((e) => e.answersMs.length === 0).length,
    waitedMs: deadlineMs - Math.max(0, ...exchanges.map((e) => e.sentMs ?? 0)),
  });
}
