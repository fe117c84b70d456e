import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import {
  CALL_PACKET_INTERVAL_MS,
  DEAD_MS,
  analyseDirection,
  judgeCallTest,
  liveProgress,
  type DirectionRecord,
} from '../../src/core/call-test';
import { CallTestSchema, type CallTest } from '../../src/core/call-test-result';

/** A direction sending every 20 ms for `durationMs`; `arrives(seq)` gives the one-way delay or undefined for a loss. */
function flow(durationMs: number, arrives: (seq: number) => number | undefined): DirectionRecord {
  const sent = Math.floor(durationMs / CALL_PACKET_INTERVAL_MS);
  const arrived = [];
  for (let seq = 0; seq < sent; seq++) {
    const delay = arrives(seq);
    const sentMs = seq * CALL_PACKET_INTERVAL_MS;
    if (delay !== undefined) arrived.push({ seq, sentMs, receivedMs: sentMs + delay });
  }
  arrived.sort((a, b) => a.receivedMs - b.receivedMs);
  return { sent, lastSentMs: (sent - 1) * CALL_PACKET_INTERVAL_MS, arrived };
}

const END = 15_000 + 500;

describe('analyseDirection', () => {
  it('a clean flow: nothing lost, no jitter, no stall, alive', () => {
    const result = analyseDirection(flow(15_000, () => 5), END);
    expect(result).toEqual({ sent: 750, received: 750, lossPct: 0, jitterMs: 0, stalls: 0, longestGapMs: 20 });
  });

  it('counts every other packet lost as 50 %', () => {
    expect(analyseDirection(flow(15_000, (seq) => (seq % 2 === 1 ? 5 : undefined)), END).lossPct).toBe(50);
  });

  it('a flow cut at 5 s died at 5 s, and its loss counts only the packets sent while it lived', () => {
    const result = analyseDirection(flow(15_000, (seq) => (seq * CALL_PACKET_INTERVAL_MS < 5_000 ? 5 : undefined)), END);
    expect(result.diedAtMs).toBe(4_980);
    expect(result.lossPct).toBe(0);
    expect(result.stalls).toBe(0);
  });

  it('a silence shorter than DEAD_MS, or one that ends with the test, is not a death', () => {
    const pause = analyseDirection(flow(15_000, (seq) => (seq >= 250 && seq < 300 ? undefined : 5)), END);
    expect(pause.diedAtMs).toBeUndefined();
    expect(pause.stalls).toBe(1);
    expect(pause.longestGapMs).toBe(1_020);
    // The last second went silent, but the sender stopped before DEAD_MS of silence could be seen.
    const tail = analyseDirection(flow(15_000, (seq) => (seq * CALL_PACKET_INTERVAL_MS < 14_000 ? 5 : undefined)), END);
    expect(tail.diedAtMs).toBeUndefined();
  });

  it('a flow that carried nothing for DEAD_MS died at its start; a shorter one has no death to tell', () => {
    expect(analyseDirection(flow(15_000, () => undefined), END)).toEqual({ sent: 750, received: 0, lossPct: 100, stalls: 0, diedAtMs: 0 });
    expect(analyseDirection(flow(DEAD_MS - 100, () => undefined), DEAD_MS + 400).diedAtMs).toBeUndefined();
  });

  it('computes RFC 3550 jitter from transit differences', () => {
    // Transit alternates 5 and 15 ms: |D| is 10 each time, so J climbs towards 10.
    const result = analyseDirection(flow(15_000, (seq) => (seq % 2 === 0 ? 5 : 15)), END);
    expect(result.jitterMs).toBeGreaterThan(9.9);
    expect(result.jitterMs).toBeLessThanOrEqual(10);
  });

  it('ignores duplicates and sequence numbers never sent', () => {
    const record: DirectionRecord = {
      sent: 20,
      lastSentMs: 380,
      arrived: [
        ...Array.from({ length: 20 }, (_, seq) => ({ seq, sentMs: seq * 20, receivedMs: seq * 20 + 5 })),
        { seq: 3, sentMs: 60, receivedMs: 70 },
        { seq: 99, sentMs: 1_980, receivedMs: 1_985 },
      ],
    };
    expect(analyseDirection(record, 900)).toMatchObject({ received: 20, lossPct: 0 });
  });

  it('gives no loss figure for too few packets', () => {
    expect(analyseDirection(flow(100, () => 5), 600).lossPct).toBeUndefined();
  });
});

function test(overrides: Partial<CallTest>): CallTest {
  const clean = analyseDirection(flow(15_000, () => 5), END);
  return v.parse(CallTestSchema, { durationMs: 15_000, tried: ['udp'], transport: 'udp', connectMs: 40, outgoing: clean, incoming: clean, ...overrides });
}

describe('judgeCallTest', () => {
  it('a clean path stays up', () => {
    expect(judgeCallTest(test({}))).toEqual({ kind: 'stays-up', transport: 'udp', lossPct: 0 });
  });

  it('no transport connected: no path', () => {
    expect(judgeCallTest(test({ transport: undefined, tried: ['udp', 'tls', 'tcp'], outgoing: undefined, incoming: undefined }))).toEqual({
      kind: 'no-path',
    });
  });

  it('a relay that answered on UDP but whose call never connected there is named, ahead of what the fallback did', () => {
    expect(judgeCallTest(test({ tried: ['udp', 'tcp'], handshakeLost: ['udp'], transport: 'tcp' }))).toEqual({
      kind: 'handshake-lost',
      transports: ['udp'],
      then: { kind: 'stays-up', transport: 'tcp', lossPct: 0 },
    });
    // A fallback that then drops is said too, not hidden behind "it connected".
    const cut = analyseDirection(flow(15_000, (seq) => (seq * 20 < 5_000 ? 5 : undefined)), END);
    expect(judgeCallTest(test({ tried: ['udp', 'tcp'], handshakeLost: ['udp'], transport: 'tcp', outgoing: cut, control: 'alive' }))).toEqual({
      kind: 'handshake-lost',
      transports: ['udp'],
      then: { kind: 'drops', afterS: 5 },
    });
    expect(judgeCallTest(test({ tried: ['udp', 'tls', 'tcp'], handshakeLost: ['udp', 'tls'], transport: undefined, outgoing: undefined, incoming: undefined }))).toEqual({
      kind: 'handshake-lost',
      transports: ['udp', 'tls'],
    });
    // UDP silent (never allocated), TCP fine: an ordinary fallback, not a lost handshake.
    expect(judgeCallTest(test({ tried: ['udp', 'tcp'], transport: 'tcp' }))).toEqual({ kind: 'stays-up', transport: 'tcp', lossPct: 0 });
  });

  it('a flow cut while the relay still answers drops the call after ≈ N s', () => {
    const cut = analyseDirection(flow(15_000, (seq) => (seq * 20 < 5_000 ? 5 : undefined)), END);
    expect(judgeCallTest(test({ outgoing: cut, incoming: cut, control: 'alive' }))).toEqual({ kind: 'drops', afterS: 5 });
    expect(judgeCallTest(test({ outgoing: cut, control: undefined }))).toEqual({ kind: 'drops', afterS: 5 });
  });

  it('a flow that died with the relay gone is a lost connection, not a cut', () => {
    const cut = analyseDirection(flow(15_000, (seq) => (seq * 20 < 3_000 ? 5 : undefined)), END);
    expect(judgeCallTest(test({ incoming: cut, control: 'dead' }))).toEqual({ kind: 'lost', afterS: 3 });
  });

  it('heavy loss breaks up audio and names the worse direction', () => {
    const lossy = analyseDirection(flow(15_000, (seq) => (seq % 2 === 1 ? 5 : undefined)), END);
    expect(judgeCallTest(test({ incoming: lossy }))).toEqual({ kind: 'breaks-up', lossPct: 50, direction: 'incoming' });
    expect(judgeCallTest(test({ outgoing: lossy }))).toEqual({ kind: 'breaks-up', lossPct: 50, direction: 'outgoing' });
  });

  it('repeated stalls freeze the call; loss just below the threshold does not break it up', () => {
    const stalling = analyseDirection(flow(15_000, (seq) => (seq % 100 < 20 ? undefined : 5)), END);
    expect(stalling.stalls).toBeGreaterThanOrEqual(3);
    expect(judgeCallTest(test({ outgoing: { ...stalling, lossPct: 5 } }))).toEqual({ kind: 'freezes', stalls: stalling.stalls });
  });

  it('an unmeasured direction is absent and judged from the other alone', () => {
    expect(judgeCallTest(test({ incoming: undefined }))).toEqual({ kind: 'stays-up', transport: 'udp', lossPct: 0 });
    expect(judgeCallTest(test({ outgoing: undefined, incoming: undefined }))).toEqual({ kind: 'stays-up', transport: 'udp' });
  });
});

describe('liveProgress', () => {
  it('gives the worse direction’s loss so far', () => {
    const half = flow(2_000, (seq) => (seq % 2 === 1 ? 5 : undefined));
    const clean = flow(2_000, () => 5);
    expect(liveProgress({ outgoing: clean, incoming: half }, 2_000, 15_000, 'tcp')).toEqual({
      elapsedMs: 2_000,
      durationMs: 15_000,
      transport: 'tcp',
      lossPct: 50,
    });
  });
});
