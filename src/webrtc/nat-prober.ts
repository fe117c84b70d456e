// NAT mapping, RTT and loss: one RTCPeerConnection with several STUN servers for the mapping, sequential bindings for RTT and
// jitter, a parallel burst of bindings for loss.
// Candidate strings and addresses stay inside this module; only derived facts are returned.
import type { IceTarget } from '../core/catalog';
import { parseCandidate, socketOf, type HostSocket } from '../core/candidate';
import { inferNatMapping, type Srflx } from '../core/nat';
import { CHROME_SCHEDULE, FIREFOX_SCHEDULE, countLoss, sequentialSchedule, type Burst } from '../core/loss';
import { classifyIce, isDecisiveIceError, type IceErrorEvent, type IceObservation } from '../core/classify-ice';
import type { IceProbeResult, LossResult, NatResult, RttResult } from '../core/report';
import { answerTiming, pathProbeKind, rttFromAnswers, type BrowserTiming, type PathProbeKind, type TimedAnswer } from '../core/rtt';
import { roundMs } from '../core/stats';
import { hasIceErrorEvents, probeIceTarget, probeServer } from './ice-prober';
import { openPeerConnection } from './peer-connections';

/** Firefox warns that five or more servers "causes problems" (browser-behaviour.md §5). */
const MAX_SERVERS_PER_CONNECTION = 4;

/**
 * Mapping behaviour needs ONE connection (one socket) talking to servers on different addresses: separate
 * connections would fake "symmetric" on a cone NAT. Chrome emits one srflx per distinct mapping, so gathering
 * must run to completion (or our deadline) before the count means anything.
 */
export async function probeNat(servers: IceTarget[], deadlineMs: number): Promise<NatResult> {
  const used = servers.slice(0, MAX_SERVERS_PER_CONNECTION);
  const connection = await openPeerConnection({ iceServers: used.map((server) => probeServer(server.url)), iceCandidatePoolSize: 0 });
  const { pc } = connection;
  const srflx: Srflx[] = [];
  const answeredUrls = new Set<string>();
  const failedUrls = new Set<string>();
  let ipv6 = false;
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const finish = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close();
      // Once gathering completed, every server without an error answered (a server whose answer equals our own
      // address yields no srflx). Before that, only servers that produced a candidate are known to have answered.
      const answered = used.filter((s) => answeredUrls.has(s.url) || (complete && !failedUrls.has(s.url))).map((s) => s.id);
      resolve({
        mapping: inferNatMapping(srflx, answered.length),
        answered,
        srflxCount: new Set(srflx.map((s) => `${s.ip}|${s.port}`)).size,
        ipv6,
        ms: roundMs(performance.now() - started),
      });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    pc.addEventListener('icecandidate', (event) => {
      const candidate = event.candidate;
      if (!candidate) return;
      const parsed = parseCandidate(candidate.candidate);
      if (!parsed) return;
      if (parsed.ip.includes(':')) ipv6 = true;
      if (parsed.type !== 'srflx') return;
      srflx.push({ ip: parsed.ip, port: parsed.port });
      // Chrome names the server (a non-standard field kept from an older spec); Firefox leaves it null, so there
      // the completion rule above decides.
      const { url } = candidate as RTCIceCandidate & { url?: string | null };
      if (url) answeredUrls.add(url);
    });
    if (hasIceErrorEvents()) {
      pc.addEventListener('icecandidateerror', (event) => {
        const { url, errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
        // A STUN/TURN error code (e.g. 401 for a TURN server) is an answer; 701 is the browser giving up.
        if (errorCode < 700) answeredUrls.add(url);
        else if (!/incompatible/i.test(errorText)) failedUrls.add(url);
      });
    }
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') finish(true);
    });
    pc.createDataChannel('nat');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch(() => finish(false));
  });
}

/** The browser's own STUN retransmission schedule (loss shows as answers late by exactly these steps) and TURN timing (rtt.ts). */
const TIMING: BrowserTiming =
  __BROWSER__ === 'firefox' ? { schedule: FIREFOX_SCHEDULE, turnAllocateAfterHostMs: 0 } : { schedule: CHROME_SCHEDULE, turnAllocateAfterHostMs: 50 };

/**
 * RTT samples: sequential probes of one server, each timed from its first host candidate to the answer (srflx, or
 * the server's 401 for TURN, reduced to one round trip by rtt.ts), so the connection's own set-up cost
 * (quality-and-verdicts.md §5: Chrome adds ~10–20 ms, more on a loaded CPU) stays out of the RTT and out of the
 * jitter. Sequential, so consecutive differences measure jitter. A target whose answers cannot be timed (TCP, TLS)
 * gets no sample and opens no connection.
 */
export async function probeRtt(target: IceTarget, samples: number, deadlineMs: number): Promise<RttResult> {
  const started = performance.now();
  const answers: TimedAnswer[] = [];
  if (pathProbeKind(target) === undefined) return rttFromAnswers(target.id, answers, TIMING.schedule);
  const sampler = SAMPLES_SHARE_A_CONNECTION ? await sectionSampler(target) : { next: (left: number) => probeIceTarget(target, left), close: () => undefined };
  try {
    for (let i = 0; i < samples; i += 1) {
      const left = deadlineMs - (performance.now() - started);
      if (left <= 0) break;
      const { result, hostMs } = await sampler.next(left);
      const timing = answerTiming(result, TIMING);
      if (timing !== undefined) answers.push({ ms: result.ms - (hostMs ?? 0), ...timing });
    }
  } finally {
    sampler.close();
  }
  return rttFromAnswers(target.id, answers, TIMING.schedule);
}

/**
 * Chrome takes a check's RTT samples in one connection (its 500-connection cap, below): each sample is a new media
 * section added by renegotiation, which gathers on its own new sockets, so it is a fresh transaction timed from its
 * own host candidates, like a new connection. Firefox's TURN errors name no socket, so there a sample's answer
 * could not be told from an earlier section's late one: one connection per sample.
 */
const SAMPLES_SHARE_A_CONNECTION = __BROWSER__ !== 'firefox';

/** One connection that probes `target` once per call to next(), each time in a new section (see above). */
async function sectionSampler(target: IceTarget): Promise<{ next(left: number): Promise<{ result: IceProbeResult; hostMs?: number }>; close(): void }> {
  const connection = await openPeerConnection({ iceServers: [probeServer(target.url)], iceCandidatePoolSize: 0, bundlePolicy: 'max-compat' });
  const { pc } = connection;
  /** The UDP host candidates' sockets: Chrome's TURN errors name the asking socket's local address and port. */
  const sockets: HostSocket[] = [];
  type Origin = { address: string | null; port: number | null };
  let current: { mid?: string; onCandidate(c: RTCIceCandidate, at: number): void; onError(e: IceErrorEvent, from: Origin): void; onComplete(): void } | undefined;
  const early: { error: IceErrorEvent; from: Origin }[] = [];
  /** Candidates of a section whose mid is not known yet (setLocalDescription still settling), with their times. */
  const unplaced: { candidate: RTCIceCandidate; at: number }[] = [];
  pc.addEventListener('icecandidate', (event) => {
    const candidate = event.candidate;
    if (!candidate?.sdpMid) return;
    const parsed = parseCandidate(candidate.candidate);
    if (candidate.type === 'host' && parsed?.protocol === 'udp') sockets.push({ ip: parsed.ip, port: parsed.port, mid: candidate.sdpMid });
    if (current === undefined) return;
    if (current.mid === undefined) unplaced.push({ candidate, at: performance.now() });
    else if (candidate.sdpMid === current.mid) current.onCandidate(candidate, performance.now());
  });
  if (hasIceErrorEvents()) {
    pc.addEventListener('icecandidateerror', (event) => {
      const { errorCode, errorText, address, port } = event as RTCPeerConnectionIceErrorEvent;
      current?.onError({ code: errorCode, text: errorText, ms: 0 }, { address, port });
    });
  }
  pc.addEventListener('icegatheringstatechange', () => {
    if (pc.iceGatheringState === 'complete') current?.onComplete();
  });
  return {
    next(left) {
      const transceiver = pc.addTransceiver('audio', { direction: 'recvonly' });
      const errors: IceErrorEvent[] = [];
      const seen: IceObservation = { id: target.id, url: target.url, deadlineMs: left, errors };
      let hostMs: number | undefined;
      const started = performance.now();
      const elapsed = (): number => Math.round(performance.now() - started);
      return new Promise((resolve) => {
        let settled = false;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          current = undefined;
          resolve({ result: classifyIce(seen), ...(hostMs === undefined ? {} : { hostMs }) });
        };
        const timer = setTimeout(finish, left);
        // An error is this section's when its port is one of this section's host candidates'. One that comes before
        // its socket's host candidate, or before this section is described, waits in `early`.
        const ownError = (error: IceErrorEvent, from: Origin): void => {
          if (from.port === null || settled) return;
          const section = socketOf(sockets, from.address, from.port)?.mid;
          if (section === undefined || current?.mid === undefined) {
            early.push({ error, from });
            return;
          }
          if (section !== current.mid) return;
          errors.push(error);
          if (isDecisiveIceError(error, target.url)) finish();
        };
        const replayEarly = (): void => {
          for (const { error, from } of early.splice(0)) ownError(error, from);
        };
        current = {
          onCandidate(candidate, at) {
            if (candidate.type === 'host') {
              hostMs ??= at - started;
              if (candidate.protocol === 'udp') seen.udpHostCandidate = true;
              replayEarly();
            }
            if (candidate.type === 'srflx') {
              seen.firstSrflxMs ??= Math.round(at - started);
              finish();
            }
          },
          onError(error, from) {
            ownError({ ...error, ms: elapsed() }, from);
          },
          onComplete() {
            // Before this section is described, a completion is the earlier sections'.
            if (current?.mid === undefined) return;
            seen.gatheringCompleteMs = elapsed();
            finish();
          },
        };
        pc.createOffer()
          .then((offer) => pc.setLocalDescription(offer))
          .then(() => {
            const section = current;
            if (section === undefined) return;
            section.mid = transceiver.mid ?? undefined;
            for (const { candidate, at } of unplaced.splice(0)) if (candidate.sdpMid === section.mid) section.onCandidate(candidate, at);
            replayEarly();
          })
          .catch((error: unknown) => {
            errors.push({ code: 701, text: String(error), ms: elapsed() });
            finish();
          });
      });
    },
    close: () => connection.close(),
  };
}

/**
 * Exchanges per connection in the loss burst. Chrome refuses new RTCPeerConnections once its process holds 500 not
 * yet garbage-collected, closed or not, and an idle extension process rarely collects: one connection per exchange
 * broke the seventh back-to-back check. So in Chrome a connection carries several exchanges. Firefox retransmits
 * after only 100 ms, within the spread of its sections' start times (a clean server read as 40 % loss), so there
 * each exchange keeps its own connection, timed from its first host candidate, which Firefox emits as it sends.
 */
const EXCHANGES_PER_CONNECTION = __BROWSER__ === 'firefox' ? 1 : 8;

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
  const schedule = sequentialSchedule(TIMING.schedule, transactions);
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
