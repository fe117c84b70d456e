// rtt.ts: which ICE answers time a round trip, and RTT samples, median and jitter from them.
import { describe, expect, it } from 'vitest';
import { CHROME_SCHEDULE } from '../../src/core/loss';
import type { IceProbeResult } from '../../src/core/report';
import { answerTiming, pathProbeKind, rttFromAnswers, rttFromSamples, type BrowserTiming } from '../../src/core/rtt';

const CHROME: BrowserTiming = { schedule: CHROME_SCHEDULE, turnAllocateAfterHostMs: 50 };
const target = (url: string) => ({ url });
const result = (partial: Partial<IceProbeResult>): IceProbeResult => ({
  id: 't',
  scheme: 'turn',
  transport: 'udp',
  port: 3478,
  outcome: 'reachable',
  evidence: 'server-error',
  errorCode: 401,
  ms: 150,
  ...partial,
});

describe('pathProbeKind', () => {
  it('times stun: and turn: over UDP, nothing over TCP or TLS', () => {
    expect(pathProbeKind(target('stun:stun.example.org:3478'))).toBe('binding');
    expect(pathProbeKind(target('turn:turn.example.org:3478?transport=udp'))).toBe('allocate');
    expect(pathProbeKind(target('turn:turn.example.org:3478'))).toBe('allocate');
    expect(pathProbeKind(target('turn:turn.example.org:443?transport=tcp'))).toBeUndefined();
    expect(pathProbeKind(target('turns:turn.example.org:443?transport=tcp'))).toBeUndefined();
    expect(pathProbeKind(target('https://example.org/'))).toBeUndefined();
  });
});

describe('answerTiming', () => {
  it('counts an srflx as one round trip from the host candidate, for stun: and turn: alike', () => {
    expect(answerTiming(result({ scheme: 'stun', evidence: 'srflx', errorCode: undefined }), CHROME)).toEqual({ roundTrips: 1, startMs: 0 });
    expect(answerTiming(result({ evidence: 'srflx', errorCode: undefined }), CHROME)).toEqual({ roundTrips: 1, startMs: 0 });
  });

  it("counts a TURN 401 as two round trips after the browser's relay step", () => {
    expect(answerTiming(result({}), CHROME)).toEqual({ roundTrips: 2, startMs: 50 });
  });

  it('does not time a completed gathering, another TURN error, an unanswered probe or TCP', () => {
    expect(answerTiming(result({ scheme: 'stun', evidence: 'gathering-complete', errorCode: undefined }), CHROME)).toBeUndefined();
    expect(answerTiming(result({ errorCode: 403 }), CHROME)).toBeUndefined();
    expect(answerTiming(result({ outcome: 'filtered', evidence: 'deadline', errorCode: undefined }), CHROME)).toBeUndefined();
    expect(answerTiming(result({ transport: 'tcp' }), CHROME)).toBeUndefined();
  });
});

describe('rttFromAnswers', () => {
  it('reduces TURN answers to one round trip', () => {
    // 401s 150-170 ms after the host candidate: 50 ms step, then two round trips of 50-60 ms.
    const answers = [150, 160, 170].map((ms) => ({ ms, roundTrips: 2, startMs: 50 }));
    // Jitter is the scaled median absolute deviation (stats.ts robustJitter): 5 ms × 1.67.
    expect(rttFromAnswers('t', answers, CHROME_SCHEDULE)).toEqual({ targetId: 't', samples: [50, 55, 60], medianMs: 55, jitterMs: 8 });
  });

  it('leaves out an answer that needed a retransmission (loss, not delay)', () => {
    const answers = [40, 42, 41 + 250, 44].map((ms) => ({ ms, roundTrips: 1, startMs: 0 }));
    expect(rttFromAnswers('s', answers, CHROME_SCHEDULE).samples).toEqual([40, 42, 44]);
    const turn = [150, 150 + 250, 152].map((ms) => ({ ms, roundTrips: 2, startMs: 50 }));
    expect(rttFromAnswers('t', turn, CHROME_SCHEDULE).samples).toEqual([50, 51]);
  });

  it('gives no median without samples and no jitter from one', () => {
    expect(rttFromAnswers('s', [], CHROME_SCHEDULE)).toEqual({ targetId: 's', samples: [] });
    expect(rttFromAnswers('s', [{ ms: 30, roundTrips: 1, startMs: 0 }], CHROME_SCHEDULE)).toEqual({ targetId: 's', samples: [30], medianMs: 30 });
  });
});

describe('rttFromSamples', () => {
  it('has a median and jitter only where there are samples: none is never a perfect 0 ms', () => {
    expect(rttFromSamples('c', [])).toEqual({ targetId: 'c', samples: [] });
    expect(rttFromSamples('c', [40])).toEqual({ targetId: 'c', samples: [40], medianMs: 40 });
    const some = rttFromSamples('c', [40, 42, 44, 41, 43]);
    expect(some.medianMs).toBe(42);
    expect(some.jitterMs).toBeGreaterThan(0);
  });
});
