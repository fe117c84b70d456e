// The E-model against the computed reference tables (quality-and-verdicts.md §1), bands, thresholds and units.
import { describe, expect, it } from 'vitest';
import {
  assessQuality,
  delayImpairment,
  lossFromBurst,
  lossImpairment,
  mosFromR,
  ms,
  msFromSeconds,
  oneWayDelay,
  percent,
  percentFromRatio,
  qualityReasons,
  rFactor,
} from '../../src/core/quality';

describe('Annex B R → MOS', () => {
  it.each([
    [50, 2.58],
    [60, 3.1],
    [70, 3.6],
    [80, 4.02],
    [90, 4.34],
    [93.2, 4.41],
    [100, 4.5],
  ])('R %f → MOS %f', (r, mos) => {
    expect(mosFromR(r)).toBeCloseTo(mos, 2);
  });

  it('stays on the 1-4.5 scale outside 0-100 and where the cubic dips below 1', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(3)).toBe(1);
    expect(mosFromR(120)).toBe(4.5);
  });
});

describe('G.107 simplified E-model, G.711 + PLC, random loss (§1.3 computed table)', () => {
  it.each([
    // Ta ms, loss %, Idd, Ie,eff, R, MOS
    [100, 0, 0, 0, 93.2, 4.41],
    [150, 0, 0.16, 0, 93.0, 4.41],
    [200, 0, 3.04, 0, 90.2, 4.34],
    [300, 0, 14.76, 0, 78.4, 3.96],
    [400, 0, 24.07, 0, 69.1, 3.56],
    [100, 1, 0, 3.64, 89.6, 4.33],
    [100, 2, 0, 7.01, 86.2, 4.23],
    [100, 5, 0, 15.78, 77.4, 3.92],
    [100, 10, 0, 27.07, 66.1, 3.41],
    [200, 3, 3.04, 10.14, 80.0, 4.02],
  ])('Ta %i ms, loss %i pct', (ta, loss, idd, ie, r, mos) => {
    expect(delayImpairment(ms(ta))).toBeCloseTo(idd, 2);
    expect(lossImpairment(percent(loss))).toBeCloseTo(ie, 2);
    const computed = rFactor(ms(ta), percent(loss));
    expect(computed).toBeCloseTo(r, 1);
    expect(mosFromR(computed)).toBeCloseTo(mos, 2);
  });

  it('without PLC (Bpl 4.3) 1 % loss already costs far more', () => {
    const r = rFactor(ms(100), percent(1), { ie: 0, bpl: 4.3 });
    expect(r).toBeCloseTo(75.3, 1);
    expect(mosFromR(r)).toBeCloseTo(3.83, 2);
  });
});

describe('one-way delay from RTT and jitter', () => {
  it('is RTT/2 + 2 × jitter + 20 ms codec delay', () => {
    expect(oneWayDelay(ms(100), ms(10))).toBe(90);
    expect(oneWayDelay(ms(300), ms(30))).toBe(230);
  });

  it('never feeds the RTT itself into Idd (that doubles the penalty)', () => {
    const q = assessQuality({ rtt: ms(360), jitter: ms(0) });
    // Ta = 200 ms → R 90.2, not Ta = 380 ms (R ≈ 71).
    expect(q.r).toBeCloseTo(90.2, 1);
  });
});

describe('assessQuality', () => {
  it.each([
    [40, 2, 0, 'good'],
    [100, 10, 1, 'good'],
    [250, 30, 3, 'fair'],
    [100, 20, 10, 'fair'],
    [600, 80, 0, 'fair'],
    [80, 45, 15, 'poor'],
    [800, 100, 10, 'poor'],
  ] as const)('RTT %i ms, jitter %i ms, loss %i pct → %s', (rtt, jitter, loss, band) => {
    expect(assessQuality({ rtt: ms(rtt), jitter: ms(jitter), loss: percent(loss) }).band).toBe(band);
  });

  it('bands on R with no gaps: 80 is good, just under is fair, 60 fair, just under poor', () => {
    // Ta 100 ms makes R depend on loss alone; solve Ie,eff = 93.2 − R for the loss.
    const lossFor = (r: number) => ((93.2 - r) * 25.1) / (95 - (93.2 - r));
    const at = (r: number) => assessQuality({ rtt: ms(80), jitter: ms(0), loss: percent(lossFor(r)) });
    expect(at(80).band).toBe('good');
    expect(at(79.9).band).toBe('fair');
    expect(at(60).band).toBe('fair');
    expect(at(59.9).band).toBe('poor');
  });

  it('reports loss only when it was measured', () => {
    expect(assessQuality({ rtt: ms(50), jitter: ms(5) })).not.toHaveProperty('lossPct');
    expect(assessQuality({ rtt: ms(50), jitter: ms(5), loss: percent(2) }).lossPct).toBe(2);
  });

  it('flags latency, jitter and loss at the documented thresholds, worst first', () => {
    const reasons = (rtt: number, jitter: number, loss?: number) =>
      qualityReasons(assessQuality({ rtt: ms(rtt), jitter: ms(jitter), ...(loss === undefined ? {} : { loss: percent(loss) }) }));
    expect(reasons(299, 30, 4.9)).toEqual([]);
    expect(reasons(300, 31, 5)).toEqual(['LOSSY', 'HIGH_LATENCY', 'HIGH_JITTER']);
    expect(reasons(80, 45)).toEqual(['HIGH_JITTER']);
  });
});

describe('units', () => {
  it('converts getStats seconds and ratios, giving the reference MOS 3.97 case right', () => {
    // quality-and-verdicts.md §2: RTT 100 ms / jitter 20 ms / 5 % loss. Twilio's formula gives
    // 3.97; fed seconds and a fraction it gave 4.38. Here Ta = 110 ms and 5 % loss: the §1.3 row
    // "100 ms, 5 %" (R 77.4, MOS 3.92).
    const right = assessQuality({ rtt: msFromSeconds(0.1), jitter: msFromSeconds(0.02), loss: percentFromRatio(0.05) });
    expect(right).toMatchObject({ rttMs: 100, jitterMs: 20, lossPct: 5, r: 77.4, mos: 3.92, band: 'fair' });
    const confused = assessQuality({ rtt: ms(0.1), jitter: ms(0.02), loss: percent(0.05) });
    expect(confused.mos).toBeGreaterThan(4.4);
  });

  it('rejects plain numbers at compile time', () => {
    // @ts-expect-error a bare number has no unit
    expect(() => assessQuality({ rtt: 100, jitter: ms(20) })).not.toThrow();
    // @ts-expect-error loss must be a Percent, not a ratio
    expect(() => assessQuality({ rtt: ms(100), jitter: ms(20), loss: 0.05 })).not.toThrow();
  });

  it('rejects values outside each unit at run time', () => {
    expect(() => percentFromRatio(5)).toThrow(RangeError); // a percentage passed as a ratio
    expect(() => percent(150)).toThrow(RangeError);
    expect(() => percent(-1)).toThrow(RangeError);
    expect(() => ms(-3)).toThrow(RangeError);
    expect(() => ms(Number.NaN)).toThrow(RangeError);
    expect(() => msFromSeconds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('loss from a STUN burst', () => {
  it('needs at least ten datagrams and reads round-trip counts as one-way loss', () => {
    expect(lossFromBurst({ sent: 9, lost: 1 })).toBeUndefined();
    expect(lossFromBurst({ sent: 10, lost: 0 })).toBe(0);
    // (1 − 0.1)² = 0.81: 19 % of exchanges lose a datagram when each direction loses 10 %.
    expect(lossFromBurst({ sent: 100, lost: 19 })).toBe(10);
    expect(lossFromBurst({ sent: 90, lost: 13 })).toBe(7.5); // 7.503…, rounded to a tenth
    expect(lossFromBurst({ sent: 20, lost: 20 })).toBe(100);
  });
});
