import { describe, expect, it } from 'vitest';
import { CONTROLS, GRACE_MS, baselineRtt, deadlinesFor } from '../../src/core/deadlines';
import type { Observations } from '../../src/core/report';

describe('deadlinesFor', () => {
  it('uses the floors on a fast network', () => {
    expect(deadlinesFor(20)).toEqual({ iceUdpMs: 1000, iceTcpMs: 1500, httpMs: 1500, dnsMs: 1500, appPhaseMs: 2250 });
  });

  it('grows with the baseline RTT', () => {
    expect(deadlinesFor(100)).toMatchObject({ iceUdpMs: 1200, iceTcpMs: 1800, httpMs: 1800 });
    expect(deadlinesFor(200)).toMatchObject({ iceUdpMs: 1800, iceTcpMs: 2600, httpMs: 2600 });
  });

  it('waits for one more STUN retransmission on a lossy path, within the ceiling', () => {
    expect(deadlinesFor(20, 0)).toEqual(deadlinesFor(20));
    expect(deadlinesFor(20, 1.9)).toEqual(deadlinesFor(20));
    expect(deadlinesFor(20, 10)).toEqual({ iceUdpMs: 2000, iceTcpMs: 1500, httpMs: 1500, dnsMs: 1500, appPhaseMs: 2750 });
    expect(deadlinesFor(300, 10).iceUdpMs).toBe(2400);
    expect(deadlinesFor(900, 10).iceUdpMs).toBe(2500);
  });

  it('is capped on a very slow path', () => {
    expect(deadlinesFor(900)).toEqual({ iceUdpMs: 2500, iceTcpMs: 3000, httpMs: 3000, dnsMs: 3000, appPhaseMs: 3750 });
  });

  it.each([[undefined], [Number.NaN], [-5]])('uses the ceilings without a usable baseline (%s)', (rtt) => {
    expect(deadlinesFor(rtt)).toEqual(deadlinesFor(10_000));
  });

  it('is monotonic in the RTT', () => {
    let previous = deadlinesFor(0);
    for (let rtt = 10; rtt <= 1000; rtt += 10) {
      const current = deadlinesFor(rtt);
      expect(current.iceUdpMs).toBeGreaterThanOrEqual(previous.iceUdpMs);
      expect(current.iceTcpMs).toBeGreaterThanOrEqual(previous.iceTcpMs);
      expect(current.httpMs).toBeGreaterThanOrEqual(previous.httpMs);
      previous = current;
    }
  });

  it('keeps the silent-drop case within about 6 s (controls phase + longest probe + graces)', () => {
    const worst = deadlinesFor(undefined);
    const total = CONTROLS.phaseMs + GRACE_MS + Math.max(worst.iceUdpMs, worst.iceTcpMs, worst.httpMs) + GRACE_MS;
    expect(total).toBeLessThanOrEqual(6000);
  });
});

function obs(partial: Partial<Observations>): Observations {
  return { http: [], ice: [], dns: [], ...partial };
}

describe('baselineRtt', () => {
  it('prefers the median STUN RTT', () => {
    const observations = obs({
      rtt: { targetId: 's1', samples: [40, 42, 44], medianMs: 42, jitterMs: 2 },
      http: [{ id: 'c1', outcome: 'reachable', status: 204, ms: 300, timing: { connectMs: 35 } }],
    });
    expect(baselineRtt(observations, ['c1'])).toBe(42);
  });

  it('falls back to the control connect time, then to a quarter of the fastest control fetch', () => {
    const withTiming = obs({
      http: [
        { id: 'c1', outcome: 'reachable', status: 204, ms: 300, timing: { connectMs: 35 } },
        { id: 'c2', outcome: 'reachable', status: 204, ms: 200, timing: { connectMs: 50 } },
      ],
    });
    expect(baselineRtt(withTiming, ['c1', 'c2'])).toBe(35);
    const withoutTiming = obs({
      http: [
        { id: 'c1', outcome: 'reachable', status: 204, ms: 400 },
        { id: 'c2', outcome: 'reachable', status: 204, ms: 200 },
      ],
    });
    expect(baselineRtt(withoutTiming, ['c1', 'c2'])).toBe(50);
  });

  it('ignores failed controls, app targets and empty RTT samples', () => {
    const observations = obs({
      rtt: { targetId: 's1', samples: [] },
      http: [
        { id: 'c1', outcome: 'failed', failure: 'generic_timeout_error', ms: 2500 },
        { id: 'app', outcome: 'reachable', status: 200, ms: 80 },
      ],
    });
    expect(baselineRtt(observations, ['c1'])).toBeUndefined();
  });
});
