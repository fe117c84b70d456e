// RTT and jitter: sequential STUN/TURN exchanges with one server. Candidate strings and addresses stay inside this
// module; only derived facts are returned.
import type { IceTarget } from '../core/catalog';
import { parseCandidate, socketOf, type HostSocket } from '../core/candidate';
import { classifyIce, isDecisiveIceError, type IceErrorEvent, type IceObservation } from '../core/classify-ice';
import type { IceProbeResult, RttResult } from '../core/report';
import { answerTiming, pathProbeKind, rttFromAnswers, type TimedAnswer } from '../core/rtt';
import { browserProfile } from '../platform/current';
import { hasIceErrorEvents, probeIceTarget, probeServer } from './ice-prober';
import { openPeerConnection } from './peer-connections';

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
  if (pathProbeKind(target) === undefined) return rttFromAnswers(target.id, answers, browserProfile.timing.schedule);
  const sampler = browserProfile.rttSamplesShareAConnection ? await sectionSampler(target) : { next: (left: number) => probeIceTarget(target, left), close: () => undefined };
  try {
    for (let i = 0; i < samples; i += 1) {
      const left = deadlineMs - (performance.now() - started);
      if (left <= 0) break;
      const { result, hostMs } = await sampler.next(left);
      const timing = answerTiming(result, browserProfile.timing);
      if (timing !== undefined) answers.push({ ms: result.ms - (hostMs ?? 0), ...timing });
    }
  } finally {
    sampler.close();
  }
  return rttFromAnswers(target.id, answers, browserProfile.timing.schedule);
}

/**
 * One connection that probes `target` once per call to next(), each time in a new media section added by
 * renegotiation, which gathers on its own new sockets: a fresh transaction timed from its own host candidates, like a
 * new connection (Chrome; its profile says why).
 */
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
