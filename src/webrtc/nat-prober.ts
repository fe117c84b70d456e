// NAT mapping, RTT and loss: one RTCPeerConnection with several STUN servers for the mapping, sequential bindings for RTT and
// jitter, a parallel burst of bindings for loss.
// Candidate strings and addresses stay inside this module; only derived facts are returned.
import type { IceTarget } from '../core/catalog';
import { parseCandidate } from '../core/candidate';
import { inferNatMapping, type Srflx } from '../core/nat';
import { CHROME_SCHEDULE, FIREFOX_SCHEDULE, countLoss, sendsBefore, type RetransmitSchedule } from '../core/loss';
import type { LossResult, NatResult, RttResult } from '../core/report';
import { jitter, median, round, roundMs } from '../core/stats';
import { hasIceErrorEvents, probeIceTarget, probeServer } from './ice-prober';
import { openPeerConnection } from './peer-connections';

/** Firefox warns that five or more servers "causes problems" (browser-behaviour.md §5). */
const MAX_SERVERS_PER_CONNECTION = 4;

/**
 * Mapping behaviour needs ONE connection (one socket) talking to servers on different addresses: separate
 * connections would fake "symmetric" on a cone NAT. Chrome emits one srflx per distinct mapping, so gathering
 * must run to completion (or our deadline) before the count means anything.
 */
export function probeNat(servers: IceTarget[], deadlineMs: number): Promise<NatResult> {
  const used = servers.slice(0, MAX_SERVERS_PER_CONNECTION);
  const connection = openPeerConnection({ iceServers: used.map((server) => probeServer(server.url)), iceCandidatePoolSize: 0 });
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

/** The browser's own STUN retransmission schedule: loss shows as answers late by exactly these steps. */
const SCHEDULE: RetransmitSchedule = __BROWSER__ === 'firefox' ? FIREFOX_SCHEDULE : CHROME_SCHEDULE;

/**
 * RTT samples: sequential single-server probes, each timed from its first host candidate to the answer (srflx, or
 * the server's error for TURN), so the connection's own set-up cost (quality-and-verdicts.md §5: Chrome adds
 * ~10–20 ms, more on a loaded CPU) stays out of the RTT and out of the jitter. Sequential, so consecutive
 * differences measure jitter. An answer that needed a retransmission is loss, not delay (the burst below
 * counts loss), so it is left out of the samples.
 */
export async function probeRtt(target: IceTarget, samples: number, deadlineMs: number): Promise<RttResult> {
  const started = performance.now();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const left = deadlineMs - (performance.now() - started);
    if (left <= 0) break;
    const { result, hostMs } = await probeIceTarget(target, left);
    if (result.outcome === 'reachable') times.push(round(Math.max(0, result.ms - (hostMs ?? 0)), 1));
  }
  const fastest = Math.min(...times);
  const firstSends = times.filter((t) => sendsBefore(t - fastest, SCHEDULE) === 1);
  return {
    targetId: target.id,
    samples: firstSends,
    medianMs: roundMs(median(firstSends) ?? 0),
    jitterMs: roundMs(jitter(firstSends) ?? 0),
  };
}

/**
 * One connection's Binding answers: every srflx candidate is one socket's transaction answered (a browser may bind
 * a socket per network, each with its own transaction), timed from the first host candidate. Runs until gathering
 * completes or the deadline.
 */
function bindingAnswers(target: IceTarget, deadlineMs: number): Promise<{ answersMs: number[]; hostMs?: number }> {
  const connection = openPeerConnection({ iceServers: [probeServer(target.url)], iceCandidatePoolSize: 0 });
  const { pc } = connection;
  const started = performance.now();
  const arrivals: number[] = [];
  let hostMs: number | undefined;
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      connection.close();
      const sent = hostMs ?? 0;
      resolve({ answersMs: arrivals.map((at) => Math.max(0, at - sent)), ...(hostMs === undefined ? {} : { hostMs }) });
    };
    const timer = setTimeout(finish, deadlineMs);
    pc.addEventListener('icecandidate', (event) => {
      const type = event.candidate?.type;
      if (type === 'host') hostMs ??= performance.now() - started;
      else if (type === 'srflx') arrivals.push(performance.now() - started);
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') finish();
    });
    pc.createDataChannel('loss');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch(finish);
  });
}

/**
 * Loss: `exchanges` connections to one STUN server at once, each with its own sockets (so its own transactions and
 * retransmissions). loss.ts reads how late each answer came against the browser's retransmission schedule. In
 * parallel, so the burst costs one round trip on a clean path and a retransmission interval on a lossy one. A
 * connection with no answer at all counts as one transaction that lost every send due by the deadline.
 */
export async function probeLoss(target: IceTarget, exchanges: number, deadlineMs: number): Promise<LossResult> {
  const started = performance.now();
  const connections = await Promise.all(Array.from({ length: exchanges }, () => bindingAnswers(target, deadlineMs)));
  const answeredMs = connections.flatMap((c) => c.answersMs);
  const unanswered = connections.filter((c) => c.answersMs.length === 0).length;
  // Unanswered connections waited from their first send (≈ the host candidate) to the deadline.
  const lastSend = Math.max(0, ...connections.map((c) => c.hostMs ?? 0));
  const counted = countLoss({ answeredMs, unanswered, waitedMs: deadlineMs - lastSend }, SCHEDULE);
  return {
    targetId: target.id,
    exchanges,
    answered: exchanges - unanswered,
    sent: counted?.sent ?? 0,
    lost: counted?.lost ?? 0,
    ms: roundMs(performance.now() - started),
  };
}
