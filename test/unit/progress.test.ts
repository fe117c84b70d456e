// The progress bar follows the phases and the time budget, never goes back, and is full only when the check is.
import { describe, expect, it } from 'vitest';
import { CONTROLS } from '../../src/core/deadlines';
import { checkProgress, CONTROLS_PHASE_MS, CONTROLS_WEIGHT, RUNNING_MAX } from '../../src/core/progress';

const at = (elapsedMs: number, controlsDone: boolean, probesDone = 0, probesTotal = 10) =>
  checkProgress({ elapsedMs, controlsDone, probesDone, probesTotal });

describe('checkProgress', () => {
  it('uses the controls phase the orchestrator runs', () => {
    expect(CONTROLS_PHASE_MS).toBe(CONTROLS.phaseMs);
  });

  it('moves during the controls phase, before any app is finished', () => {
    expect(at(0, false)).toBe(0);
    expect(at(1000, false)).toBeGreaterThan(0.1);
    expect(at(1000, false)).toBeLessThan(CONTROLS_WEIGHT);
  });

  it('counts the controls phase as done once its results are in', () => {
    expect(at(700, true)).toBeGreaterThanOrEqual(CONTROLS_WEIGHT);
  });

  it('follows finished probes in the app phase', () => {
    expect(at(1000, true, 5)).toBeCloseTo(CONTROLS_WEIGHT + (1 - CONTROLS_WEIGHT) / 2, 5);
  });

  it('keeps moving with time while probes are silent, yet never reaches full on time alone', () => {
    expect(at(4000, true, 0)).toBeGreaterThan(at(2000, true, 0));
    expect(at(60_000, false)).toBeLessThan(1);
    expect(at(60_000, true, 0)).toBeLessThan(RUNNING_MAX);
  });

  it('never goes back as time passes or probes finish', () => {
    let last = 0;
    for (let t = 0; t <= 8000; t += 250) {
      const controlsDone = t >= 800;
      const value = at(t, controlsDone, Math.min(10, Math.floor(Math.max(0, t - 800) / 400)));
      expect(value).toBeGreaterThanOrEqual(last);
      last = value;
    }
    expect(last).toBe(RUNNING_MAX);
  });

  it('copes with a catalog of no probes and a clock that went back', () => {
    expect(at(-50, false, 0, 0)).toBe(0);
    expect(at(1000, true, 0, 0)).toBeGreaterThan(CONTROLS_WEIGHT);
  });
});
