// RTT from ICE probe answers: which answers time a round trip, how many round trips each took, and the samples, median and jitter they give.
import type { IceTarget } from './catalog';
import { parseIceUrl } from './ice-url';
import { sendsBefore, type RetransmitSchedule } from './loss';
import type { IceProbeResult, RttResult } from './report';
import { median, robustJitter, round, roundMs } from './stats';

/**
 * What a path probe exchanges with a target, when a browser can time it:
 * - `binding`: a stun: server over UDP answers a Binding with an srflx candidate (or a STUN error), one round trip;
 * - `allocate`: a turn: server over UDP answers an Allocate with dummy credentials with 401, which the browser
 *   reports (icecandidateerror) only after retrying with the credentials: two round trips, both browsers
 *   (browser-behaviour.md §3; test/e2e counts two Allocates per socket in Chromium and Firefox).
 * TCP and TLS add handshakes of unknown cost, so turn:?transport=tcp and turns: give no path figure.
 */
export type PathProbeKind = 'binding' | 'allocate';

export function pathProbeKind(target: Pick<IceTarget, 'url'>): PathProbeKind | undefined {
  const url = parseIceUrl(target.url);
  if (url === null || url.transport !== 'udp') return undefined;
  return url.scheme === 'stun' ? 'binding' : url.scheme === 'turn' ? 'allocate' : undefined;
}

/** The browser facts RTT samples are read with. */
export interface BrowserTiming {
  schedule: RetransmitSchedule;
  /**
   * How long after its first UDP host candidate the browser sends a TURN Allocate. Chrome gathers in phases one
   * step apart (UDP, then relay, then TCP; libwebrtc basic_port_allocator.cc, step kMinimumStepDelay = 50 ms in
   * p2p/base/port_allocator.h): against a responder answering after 50 ms, its 401 came 152-171 ms after the host
   * candidate, i.e. 100 ms of round trips plus the step. Firefox sends at once (108-161 ms against the same
   * responder, timer precision 1 ms).
   */
  turnAllocateAfterHostMs: number;
}

/** One answer, timed from the probe's first host candidate. */
export interface TimedAnswer {
  ms: number;
  roundTrips: number;
  /** When the first request went out, after the host candidate. */
  startMs: number;
}

/**
 * How an ICE probe's answer times the path, or undefined when it does not: only a candidate or a server's error
 * is an answer with a time; a completed gathering (the server answered with our own address, so no srflx) or an
 * error code whose exchange we cannot count is not. An srflx is one Binding round trip, from the host candidate,
 * also for a turn: URL, to which Chrome sends Binding requests as well (browser-behaviour.md §4).
 */
export function answerTiming(result: IceProbeResult, timing: BrowserTiming): Omit<TimedAnswer, 'ms'> | undefined {
  if (result.outcome !== 'reachable' || result.transport !== 'udp') return undefined;
  if (result.evidence === 'srflx') return { roundTrips: 1, startMs: 0 };
  if (result.evidence !== 'server-error') return undefined;
  if (result.scheme === 'stun') return { roundTrips: 1, startMs: 0 };
  if (result.scheme === 'turn' && result.errorCode === 401) return { roundTrips: 2, startMs: timing.turnAllocateAfterHostMs };
  return undefined;
}

/**
 * Sequential answers as an RttResult: each reduced to one round trip. An answer that needed a retransmission is
 * loss, not delay (the loss burst counts loss), so one later than the fastest by a retransmission step is left out.
 * No samples give no median, fewer than two no jitter.
 */
export function rttFromAnswers(targetId: string, answers: readonly TimedAnswer[], schedule: RetransmitSchedule): RttResult {
  const perTrip = answers.map((a) => Math.max(0, a.ms - a.startMs) / a.roundTrips);
  const fastest = Math.min(...perTrip);
  const samples = answers.flatMap((a, i) => {
    const late = a.ms - (a.startMs + a.roundTrips * fastest);
    return sendsBefore(late, schedule, 'host-candidate') === 1 ? [round(perTrip[i] ?? 0, 1)] : [];
  });
  return rttFromSamples(targetId, samples);
}

/** RTT samples as an RttResult: no samples give no median, fewer than two no jitter (never a made-up figure). */
export function rttFromSamples(targetId: string, samples: readonly number[]): RttResult {
  const medianMs = median(samples);
  const jitterMs = robustJitter(samples);
  return {
    targetId,
    samples: [...samples],
    ...(medianMs === undefined ? {} : { medianMs: roundMs(medianMs) }),
    ...(jitterMs === undefined ? {} : { jitterMs: roundMs(jitterMs) }),
  };
}
