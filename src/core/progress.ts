// How far a running check is, from its phases and its time budget, so the bar moves before any app is finished.

/*
 * A check runs the controls first (up to CONTROLS.phaseMs), then every app's probes in parallel
 * under one ceiling (deadlines.ts: about 3 s of probe deadlines plus slack). Counting finished
 * apps alone left the bar at "0 of 3" for the whole controls phase and then made it jump. Here
 * each phase moves with its own evidence (controls done, probes answered) and, while evidence is
 * slow to come, with the time spent against that phase's budget; the bar stops short of full
 * until the check has finished.
 */
export const CONTROLS_WEIGHT = 0.3;
/**
 * deadlines.ts CONTROLS.phaseMs, restated so the popup does not load the background's deadline
 * module for one number; test/unit/progress.test.ts keeps the two equal.
 */
export const CONTROLS_PHASE_MS = 2500;
/** The app phase's budget for the bar: its probe ceilings (3 s) and the phase slack. */
export const APP_PHASE_BUDGET_MS = 3500;
/** Time alone never fills a phase: an answer, not a clock, finishes it. */
const TIME_CAP = 0.9;
/** The most a running check shows. */
export const RUNNING_MAX = 0.97;

export interface ProgressInput {
  elapsedMs: number;
  /** The controls phase is over: its measurements are in, or an app probe has answered. */
  controlsDone: boolean;
  probesDone: number;
  probesTotal: number;
}

/** A fraction from 0 to RUNNING_MAX that never goes back as time passes or probes finish. */
export function checkProgress({ elapsedMs, controlsDone, probesDone, probesTotal }: ProgressInput): number {
  const elapsed = Math.max(0, elapsedMs);
  const controls = controlsDone ? 1 : Math.min(TIME_CAP, elapsed / CONTROLS_PHASE_MS);
  const byProbes = probesTotal > 0 ? Math.min(1, probesDone / probesTotal) : 0;
  // Before the controls end no app probe runs, so the app phase's clock has not started; after, the whole
  // budget (controls and apps) is the measure, since when exactly the controls ended is not known here.
  const byTime = controlsDone ? Math.min(TIME_CAP, elapsed / (CONTROLS_PHASE_MS + APP_PHASE_BUDGET_MS)) : 0;
  const apps = Math.max(byProbes, byTime);
  return Math.min(RUNNING_MAX, CONTROLS_WEIGHT * controls + (1 - CONTROLS_WEIGHT) * apps);
}
