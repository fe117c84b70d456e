// loss.ts: how late answers to a STUN burst become counts of lost datagrams, against a simulated lossy path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHROME_SCHEDULE, FIREFOX_SCHEDULE, countLoss, oneWayLossPct, sendsBefore, sequentialSchedule } from '../../src/core/loss';

describe('retransmission schedules', () => {
  it('doubles from the initial RTO', () => {
    expect(CHROME_SCHEDULE.slice(0, 5)).toEqual([0, 250, 750, 1750, 3750]);
    expect(CHROME_SCHEDULE).toHaveLength(9);
    expect(FIREFOX_SCHEDULE.slice(0, 4)).toEqual([0, 100, 300, 700]);
  });
});

describe('sendsBefore', () => {
  it('reads lateness in retransmission steps, counting a step just before it is due', () => {
    expect(sendsBefore(0, CHROME_SCHEDULE, 'description')).toBe(1);
    expect(sendsBefore(120, CHROME_SCHEDULE, 'description')).toBe(1); // jitter, not loss
    expect(sendsBefore(210, CHROME_SCHEDULE, 'description')).toBe(1); // scatter of a busy machine, still not loss
    expect(sendsBefore(230, CHROME_SCHEDULE, 'description')).toBe(2); // the 250 ms retransmission, timed a little early
    expect(sendsBefore(262, CHROME_SCHEDULE, 'description')).toBe(2);
    expect(sendsBefore(760, CHROME_SCHEDULE, 'description')).toBe(3);
    expect(sendsBefore(100_000, CHROME_SCHEDULE, 'description')).toBe(CHROME_SCHEDULE.length);
    expect(sendsBefore(80, FIREFOX_SCHEDULE, 'description')).toBe(1);
    expect(sendsBefore(110, FIREFOX_SCHEDULE, 'description')).toBe(2);
  });

  it('leaves more room on the early side when timed from a host candidate, which may come before or after the send', () => {
    expect(sendsBefore(70, FIREFOX_SCHEDULE, 'host-candidate')).toBe(1);
    expect(sendsBefore(80, FIREFOX_SCHEDULE, 'host-candidate')).toBe(2);
    expect(sendsBefore(190, CHROME_SCHEDULE, 'host-candidate')).toBe(2);
    expect(sendsBefore(190, CHROME_SCHEDULE, 'description')).toBe(1);
  });
});

describe('countLoss', () => {
  it('estimates nothing when no exchange was answered (a closed path is not a lossy one)', () => {
    expect(countLoss([{ answeredMs: [], unanswered: 64, waitedMs: 1200 }], CHROME_SCHEDULE, 'description')).toBeUndefined();
  });

  it('counts a clean burst as every send answered', () => {
    expect(countLoss([{ answeredMs: [40, 42, 41, 55], unanswered: 0, waitedMs: 1200 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 4, lost: 0 });
  });

  it('counts one lost send per retransmission step and every due send of an unanswered exchange', () => {
    // RTT 40: answers at 40 (first send), 292 (second), 795 (third); one exchange never answered in 1200 ms,
    // so its sends at 0, 250 and 750 were all due (750 + 40 ≤ 1200) and lost; 1750 was never sent.
    expect(countLoss([{ answeredMs: [40, 292, 795], unanswered: 1, waitedMs: 1200 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 9, lost: 6 });
  });

  it('does not count sends whose answer could still be on its way', () => {
    // RTT 300: the send at 750 could only be answered at 1050, after the 1000 ms wait.
    expect(countLoss([{ answeredMs: [300], unanswered: 1, waitedMs: 1000 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 3, lost: 2 });
  });

  it('judges each group against its own fastest answer, so groups started apart are not read as loss', () => {
    // Two connections whose sections started 240 ms apart by our clock (a busy CPU): no loss in either.
    const groups = [
      { answeredMs: [40, 41, 43], unanswered: 0, waitedMs: 1200 },
      { answeredMs: [280, 282, 281], unanswered: 0, waitedMs: 1200 },
    ];
    expect(countLoss(groups, CHROME_SCHEDULE, 'description')).toEqual({ sent: 6, lost: 0 });
    // Read as one group, the later connection would look like three retransmissions.
    expect(countLoss([{ answeredMs: groups.flatMap((g) => g.answeredMs), unanswered: 0, waitedMs: 1200 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 9, lost: 3 });
    // A group with no answer at all still counts its due sends, judged with the burst's round trip.
    expect(countLoss([groups[0] ?? { answeredMs: [], unanswered: 0, waitedMs: 0 }, { answeredMs: [], unanswered: 2, waitedMs: 1200 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 9, lost: 6 });
  });

  it('recovers the loss of a simulated path exactly when scatter stays well below the first step', () => {
    const exchange = fc.record({
      // Sends lost before the answered one (request or answer dropped), at most a few.
      lostSends: fc.integer({ min: 0, max: 3 }),
      scatterMs: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 400 }), fc.array(exchange, { minLength: 1, maxLength: 64 }), (rtt, exchanges) => {
        // The fastest exchange has no loss and no scatter: it is what the burst measures the round trip by.
        const all = [{ lostSends: 0, scatterMs: 0 }, ...exchanges];
        const answeredMs = all.map((e) => rtt + (CHROME_SCHEDULE[e.lostSends] ?? 0) + e.scatterMs);
        const lost = all.reduce((sum, e) => sum + e.lostSends, 0);
        expect(countLoss([{ answeredMs, unanswered: 0, waitedMs: 10_000 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: all.length + lost, lost });
      }),
    );
  });
});

describe('oneWayLossPct', () => {
  it('assumes both directions lose alike', () => {
    expect(oneWayLossPct({ sent: 100, lost: 0 })).toBe(0);
    expect(oneWayLossPct({ sent: 100, lost: 19 })).toBeCloseTo(10, 9);
    expect(oneWayLossPct({ sent: 100, lost: 36 })).toBeCloseTo(20, 9);
    expect(oneWayLossPct({ sent: 4, lost: 4 })).toBe(100);
    expect(oneWayLossPct({ sent: 0, lost: 0 })).toBe(0);
  });
});

describe('sequentialSchedule (a TURN 401: two Allocate transactions one after the other)', () => {
  it('gives the least extra delay for each number of lost sends', () => {
    // 1 loss: 250; 2: one in each (250 + 250), earlier than two in one (750); 3: 750 + 250; 4: 750 + 750.
    expect(sequentialSchedule(CHROME_SCHEDULE, 2).slice(0, 5)).toEqual([0, 250, 500, 1000, 1500]);
    expect(sequentialSchedule(CHROME_SCHEDULE, 1)).toEqual(CHROME_SCHEDULE);
    expect(sequentialSchedule(FIREFOX_SCHEDULE, 2).slice(0, 4)).toEqual([0, 100, 200, 400]);
  });

  it('counts the second transaction of every answered exchange as sent, and reads lateness as the fewest losses', () => {
    const turn = sequentialSchedule(CHROME_SCHEDULE, 2);
    // Fastest 100 (two round trips); 352 = one lost send; 860 = 750 late: two lost in one transaction (or one in each).
    expect(countLoss([{ answeredMs: [100, 101, 352, 860], unanswered: 0, waitedMs: 1200 }], turn, 'description', 2)).toEqual({ sent: 11, lost: 3 });
  });

  it('recovers the losses of a simulated two-transaction path when each transaction loses at most one send', () => {
    const exchange = fc.record({ first: fc.integer({ min: 0, max: 1 }), second: fc.integer({ min: 0, max: 1 }), scatterMs: fc.integer({ min: 0, max: 60 }) });
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 200 }), fc.array(exchange, { minLength: 1, maxLength: 16 }), (rtt, exchanges) => {
        const all = [{ first: 0, second: 0, scatterMs: 0 }, ...exchanges];
        const answeredMs = all.map((e) => 2 * rtt + (CHROME_SCHEDULE[e.first] ?? 0) + (CHROME_SCHEDULE[e.second] ?? 0) + e.scatterMs);
        const lost = all.reduce((sum, e) => sum + e.first + e.second, 0);
        const counted = countLoss([{ answeredMs, unanswered: 0, waitedMs: 10_000 }], sequentialSchedule(CHROME_SCHEDULE, 2), 'description', 2);
        expect(counted).toEqual({ sent: 2 * all.length + lost, lost });
      }),
    );
  });
});

describe('countLoss: timing that no loss explains', () => {
  it('leaves out a connection whose answers came between the retransmission windows, and keeps the clean ones', () => {
    // Clean: answers at the RTT and one a retransmission (250 ms) later. Disturbed: Chromium delivered half the
    // sections' answers 130-180 ms late, which no lost send explains.
    const clean = { answeredMs: [20, 21, 22, 271], unanswered: 0, waitedMs: 1200 };
    const disturbed = { answeredMs: [20, 21, 150, 170, 200], unanswered: 0, waitedMs: 1200 };
    expect(countLoss([clean, disturbed], CHROME_SCHEDULE, 'description')).toEqual({ sent: 5, lost: 1 });
    expect(countLoss([disturbed], CHROME_SCHEDULE, 'description')).toEqual({ sent: 0, lost: 0 });
  });

  it('still counts the unanswered exchanges of a connection whose timing it leaves out, as a lower bound', () => {
    // A 30 % lossy path whose answers a busy CPU delivered late: 5 of 32 got no answer through three sends.
    const disturbed = { answeredMs: [20, 21, 150, 170, 200, 22, 23, 24, 25, 26, 27], unanswered: 5, waitedMs: 900 };
    const counted = countLoss([disturbed], CHROME_SCHEDULE, 'description');
    const due = CHROME_SCHEDULE.filter((at) => at + 20 <= 900).length;
    expect(counted).toEqual({ sent: 11 + 5 * due, lost: 5 * due });
    // Nothing unanswered: still no figure from a connection whose timing says nothing.
    expect(countLoss([{ ...disturbed, unanswered: 0 }], CHROME_SCHEDULE, 'description')).toEqual({ sent: 0, lost: 0 });
  });

  it('leaves out one connection whose answers were nearly all late while the others were on time, but not loss spread over all', () => {
    const onTime = { answeredMs: [20, 21, 22, 23, 21, 22, 20, 24], unanswered: 0, waitedMs: 1200 };
    const lateCluster = { answeredMs: [20, 280, 300, 310, 320, 330, 340, 350], unanswered: 0, waitedMs: 1200 };
    expect(countLoss([onTime, onTime, lateCluster], CHROME_SCHEDULE, 'description')).toEqual({ sent: 16, lost: 0 });
    // Heavy loss everywhere: every connection keeps its late answers.
    const lossy = { answeredMs: [20, 275, 21, 280, 22, 23, 290, 24], unanswered: 0, waitedMs: 1200 };
    const heavy = { answeredMs: [20, 275, 276, 280, 285, 23, 290, 24], unanswered: 0, waitedMs: 1200 };
    expect(countLoss([lossy, lossy, heavy], CHROME_SCHEDULE, 'description')).toEqual({ sent: 24 + 3 + 3 + 5, lost: 11 });
  });
});
