// The popup's check session as a pure reducer: the reports it holds, what it waits for, and what the popup shows from them.
import type { Report } from '../core/report';
import { newerReport } from '../ui/report-merge';

export type CheckError = { kind: 'state' | 'start'; message: string };

/** What the session waits for: getState's first answer, startCheck's answer, the first report of the check it started, or nothing. */
export type Waiting = { for: 'state' } | { for: 'start' } | { for: 'report'; reportId: string } | { for: 'nothing' };

export interface CheckSessionState {
  waiting: Waiting;
  /** The newest copy of the newest check, running or finished. */
  report: Report | null;
  /** The newest finished check, shown as "last result" while a new one runs. */
  lastFinished: Report | null;
  /** The progress port is connected; once it closes (a restarted service worker), polling takes over. */
  portOpen: boolean;
  error: CheckError | null;
}

export type CheckEvent =
  /** A copy of a check, from the port, getState (the one saved when the popup opens) or history. */
  | { type: 'reportReceived'; report: Report }
  | { type: 'stateRead'; running: boolean }
  | { type: 'stateFailed'; message: string }
  | { type: 'startRequested' }
  | { type: 'started'; reportId: string }
  | { type: 'startFailed'; message: string }
  | { type: 'portClosed' }
  /** The person asked to check again: the error is theirs to forget. */
  | { type: 'retried' }
  /** The person renamed a finished check's network: the changed copy replaces the one held. */
  | { type: 'renamed'; report: Report };

export const initialSession: CheckSessionState = { waiting: { for: 'state' }, report: null, lastFinished: null, portOpen: true, error: null };

/** getState has not answered yet. */
export function isLoading(state: CheckSessionState): boolean {
  return state.waiting.for === 'state';
}

/** A check was requested and has not reported yet, or one is running. */
export function isRunning(state: CheckSessionState): boolean {
  return state.waiting.for === 'start' || state.waiting.for === 'report' || state.report?.status === 'running';
}

export function checkSession(state: CheckSessionState, event: CheckEvent): CheckSessionState {
  switch (event.type) {
    case 'reportReceived': {
      const incoming = event.report;
      const awaited = state.waiting.for === 'report' && state.waiting.reportId === incoming.id;
      return {
        ...state,
        report: newerReport(state.report, incoming),
        lastFinished: incoming.status === 'running' ? state.lastFinished : newerReport(state.lastFinished, incoming),
        waiting: awaited ? { for: 'nothing' } : state.waiting,
      };
    }
    case 'stateRead':
      // Nothing runs (the awaited check ended, or never began): stop waiting rather than spin forever.
      if (state.waiting.for === 'state' || (state.waiting.for === 'report' && !event.running)) return { ...state, waiting: { for: 'nothing' } };
      return state;
    case 'stateFailed':
      return {
        ...state,
        waiting: state.waiting.for === 'state' ? { for: 'nothing' } : state.waiting,
        error: state.error ?? { kind: 'state', message: event.message },
      };
    case 'startRequested':
      return { ...state, waiting: { for: 'start' } };
    case 'started':
      return { ...state, waiting: { for: 'report', reportId: event.reportId }, error: null };
    case 'startFailed':
      return { ...state, waiting: { for: 'nothing' }, error: { kind: 'start', message: event.message } };
    case 'portClosed':
      return { ...state, portOpen: false };
    case 'retried':
      return { ...state, error: null };
    case 'renamed': {
      // Not through newerReport: a renamed copy has the same results as the one held, and must still win.
      const swap = (current: Report | null) => (current?.id === event.report.id ? event.report : current);
      return { ...state, report: swap(state.report), lastFinished: swap(state.lastFinished) };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** What the popup shows of the session, or of a check picked from history (which is never running). */
export interface SessionView {
  /** The report the answer is about: the picked one, else the live one. */
  shown: Report | null;
  running: boolean;
  /**
   * The check the rows are filled from: the running check once it has reported (the old result must
   * not pass for the new one until then), else the shown one.
   */
  current: Report | null;
  /** Until the new check has judged an app, the last result stays in view, faded, rather than a list of spinners. */
  stale: boolean;
  /** The report the rows are built from: the last finished one while stale, else the current one. */
  rowsReport: Report | null;
  /** The shown check once it is over, for naming its network and the extras below the rows. */
  finished: Report | null;
  /** The live check has just finished: the status line announces its answer. */
  announced: Report | null;
  /** getState has not answered (or failed) and nothing was picked: "no check yet" could be false, so nothing is said. */
  unknownYet: boolean;
  /** The session's error, shown only for the live check. */
  error: CheckError | null;
}

export function sessionView(state: CheckSessionState, picked: Report | null): SessionView {
  const live = state.report;
  const shown = picked ?? live;
  const running = picked === null && isRunning(state);
  const current = running && live?.status !== 'running' ? null : shown;
  const stale = running && (current === null || current.apps.length === 0) && state.lastFinished !== null;
  const over = shown !== null && !running && shown.status !== 'running';
  return {
    shown,
    running,
    current,
    stale,
    rowsReport: stale ? state.lastFinished : current,
    finished: over ? shown : null,
    announced: over && picked === null ? shown : null,
    unknownYet: picked === null && live === null && (isLoading(state) || state.error !== null),
    error: picked === null ? state.error : null,
  };
}
