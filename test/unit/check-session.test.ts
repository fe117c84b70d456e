// The popup's check session: what it waits for, which copy of a check it keeps, and what the popup shows from it.
import { describe, expect, it } from 'vitest';
import { checkSession, initialSession, isLoading, isRunning, sessionView, type CheckEvent, type CheckSessionState } from '../../src/popup/check-session';
import type { Report } from '../../src/core/report';
import { appVerdict, sampleReport } from './fixtures/sample-report';

const NEW_ID = '0e8d1c2b-4a5f-4b6c-8d7e-9f0a1b2c3d4e';
/** The check that finished before the popup opened. */
const previous = sampleReport();
/** A newer check, running, with as many judged apps as asked. */
const runningCheck = (apps: number): Report =>
  sampleReport({
    id: NEW_ID,
    status: 'running',
    startedAt: '2026-03-01T15:00:00.000Z',
    finishedAt: undefined,
    overall: undefined,
    apps: ['whatsapp', 'signal', 'teams'].slice(0, apps).map((id) => appVerdict(id)),
  });
const finishedCheck = sampleReport({ id: NEW_ID, startedAt: '2026-03-01T15:00:00.000Z', finishedAt: '2026-03-01T15:00:03.000Z' });

const play = (...events: CheckEvent[]): CheckSessionState => events.reduce(checkSession, initialSession);
/** The popup opened on a finished check and asked for a new one, which the background accepted. */
const opened: CheckEvent[] = [
  { type: 'reportReceived', report: previous },
  { type: 'stateRead', running: false },
  { type: 'startRequested' },
  { type: 'started', reportId: NEW_ID },
];

describe('checkSession', () => {
  it('is loading until getState answers, and says nothing about a check it does not know of yet', () => {
    expect(isLoading(initialSession)).toBe(true);
    expect(isRunning(initialSession)).toBe(false);
    expect(sessionView(initialSession, null)).toMatchObject({ shown: null, running: false, unknownYet: true });
    const read = play({ type: 'stateRead', running: false });
    expect(isLoading(read)).toBe(false);
    expect(sessionView(read, null).unknownYet).toBe(false);
  });

  it('shows the saved report at once when the popup reopens, and counts a requested check as running before it reports', () => {
    const reopened = play({ type: 'reportReceived', report: previous }, { type: 'stateRead', running: false });
    expect(sessionView(reopened, null)).toMatchObject({ shown: previous, running: false, finished: previous, announced: previous });
    const starting = checkSession(reopened, { type: 'startRequested' });
    expect(isRunning(starting)).toBe(true);
    expect(isRunning(checkSession(starting, { type: 'started', reportId: NEW_ID }))).toBe(true);
  });

  it('keeps the last result in view, faded, until the new check has judged an app; never passes it off as the new one', () => {
    const waiting = play(...opened);
    expect(sessionView(waiting, null)).toMatchObject({ running: true, current: null, stale: true, rowsReport: previous, finished: null, announced: null });
    const noAppsYet = checkSession(waiting, { type: 'reportReceived', report: runningCheck(0) });
    expect(sessionView(noAppsYet, null)).toMatchObject({ running: true, stale: true, rowsReport: previous });
    const partial = runningCheck(2);
    const filling = checkSession(noAppsYet, { type: 'reportReceived', report: partial });
    expect(sessionView(filling, null)).toMatchObject({ running: true, current: partial, stale: false, rowsReport: partial });
    expect(filling.waiting).toEqual({ for: 'nothing' });
  });

  it('ends with the finished copy, whichever copy arrives last, and keeps it as the last finished check', () => {
    const done = play(...opened, { type: 'reportReceived', report: finishedCheck }, { type: 'reportReceived', report: runningCheck(3) });
    expect(isRunning(done)).toBe(false);
    expect(done.report).toBe(finishedCheck);
    expect(done.lastFinished).toBe(finishedCheck);
    expect(sessionView(done, null)).toMatchObject({ shown: finishedCheck, finished: finishedCheck, announced: finishedCheck });
  });

  it('never takes a running copy as the last finished check', () => {
    const state = play({ type: 'reportReceived', report: runningCheck(2) });
    expect(state.lastFinished).toBeNull();
    expect(isRunning(state)).toBe(true);
  });

  it('stops waiting for a started check when getState says nothing runs, but not on a poll while it runs', () => {
    const polled = play(...opened, { type: 'stateRead', running: true });
    expect(isRunning(polled)).toBe(true);
    const ended = checkSession(polled, { type: 'stateRead', running: false });
    expect(isRunning(ended)).toBe(false);
  });

  it('keeps the first state error, and forgets errors when a check starts or the person retries', () => {
    const failed = play({ type: 'stateFailed', message: 'no background' }, { type: 'stateFailed', message: 'later' });
    expect(isLoading(failed)).toBe(false);
    expect(failed.error).toEqual({ kind: 'state', message: 'no background' });
    expect(sessionView(failed, null).unknownYet).toBe(true);
    expect(checkSession(failed, { type: 'retried' }).error).toBeNull();
    expect(checkSession(failed, { type: 'started', reportId: NEW_ID }).error).toBeNull();
  });

  it('stops counting a check as running when the start fails, and says why', () => {
    const state = play({ type: 'stateRead', running: false }, { type: 'startRequested' }, { type: 'startFailed', message: 'busy' });
    expect(isRunning(state)).toBe(false);
    expect(sessionView(state, null).error).toEqual({ kind: 'start', message: 'busy' });
  });

  it('polls faster once the progress port closes (a restarted service worker)', () => {
    expect(initialSession.portOpen).toBe(true);
    expect(play({ type: 'portClosed' }).portOpen).toBe(false);
  });

  it('puts a renamed copy in place of the one held even though its results are the same', () => {
    const renamed: Report = { ...previous, networkLabel: 'Home' };
    const state = play({ type: 'reportReceived', report: previous }, { type: 'renamed', report: renamed });
    expect(state.report).toBe(renamed);
    expect(state.lastFinished).toBe(renamed);
    const other = checkSession(state, { type: 'renamed', report: { ...finishedCheck } });
    expect(other.report).toBe(renamed);
  });
});

describe('sessionView', () => {
  it('shows a check picked from history as finished, without the live session running or its error', () => {
    const live = play(...opened, { type: 'stateFailed', message: 'poll failed' });
    const view = sessionView(live, previous);
    expect(view).toMatchObject({ shown: previous, running: false, stale: false, rowsReport: previous, finished: previous, announced: null, unknownYet: false, error: null });
  });
});
