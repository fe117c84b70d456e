// The popup's view of the check: the last result at once, a new check started on open, progress by port (polling as a fallback).
import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks';
import { browser } from '../ui/extension-api';
import { PROGRESS_PORT } from '../core/messages';
import { parseReport, type Report } from '../core/report';
import { ask } from '../ui/ask';
import { lastFinishedInHistory } from '../ui/last-finished';
import { checkSession, initialSession, isLoading, isRunning, type CheckSessionState } from './check-session';

export interface CheckSession {
  state: CheckSessionState;
  checkAgain(): void;
  /** Puts a changed copy of a finished check (renamed by the person) in place of the copy held. */
  replace(report: Report): void;
}

/** Polling is a fallback for a lost port (a restarted service worker); with the port it only fills gaps. */
const POLL_WITH_PORT_MS = 3000;
const POLL_WITHOUT_PORT_MS = 1000;

function isProgressMessage(message: unknown): message is { type: 'report'; report: unknown } {
  return typeof message === 'object' && message !== null && 'type' in message && message.type === 'report' && 'report' in message;
}

export function useCheck(): CheckSession {
  const [state, dispatch] = useReducer(checkSession, initialSession);
  const mounted = useRef(true);

  const accept = useCallback((data: unknown): void => {
    const parsed = parseReport(data);
    if (!parsed.ok) {
      // A report this version cannot read is dropped, not rendered half-way; the console keeps why.
      console.warn('ignored a report that does not validate:', parsed.error);
      return;
    }
    dispatch({ type: 'reportReceived', report: parsed.report });
  }, []);

  const start = useCallback(async (): Promise<void> => {
    dispatch({ type: 'startRequested' });
    const answer = await ask({ type: 'startCheck' });
    if (!mounted.current) return;
    dispatch(answer.ok ? { type: 'started', reportId: answer.value.reportId } : { type: 'startFailed', message: answer.error });
  }, []);

  const refresh = useCallback(async (): Promise<boolean> => {
    const answer = await ask({ type: 'getState' });
    if (!mounted.current) return false;
    if (!answer.ok) {
      dispatch({ type: 'stateFailed', message: answer.error });
      return false;
    }
    if (answer.value.report !== null) accept(answer.value.report);
    dispatch({ type: 'stateRead', running: answer.value.running });
    return answer.value.running;
  }, [accept]);

  useEffect(() => {
    mounted.current = true;
    const port = browser.runtime.connect({ name: PROGRESS_PORT });
    port.onMessage.addListener((message: unknown) => {
      if (isProgressMessage(message)) accept(message.report);
    });
    port.onDisconnect.addListener(() => {
      // Reading lastError marks it handled, so Chrome logs no "Unchecked runtime.lastError"; polling takes over.
      const reason = browser.runtime.lastError;
      if (reason !== undefined) console.info('progress port closed:', reason.message);
      if (mounted.current) dispatch({ type: 'portClosed' });
    });
    void (async () => {
      const alreadyRunning = await refresh();
      if (!mounted.current) return;
      if (alreadyRunning) {
        // getState gives the running check only; the last finished one is the newest in history.
        const last = await lastFinishedInHistory();
        if (last !== null) dispatch({ type: 'reportReceived', report: last });
      }
      await start();
    })();
    // Closing the popup only stops listening: the background finishes the check on its own.
    return () => {
      mounted.current = false;
      port.disconnect();
    };
  }, [accept, refresh, start]);

  const running = isRunning(state);
  const loading = isLoading(state);

  useEffect(() => {
    if (!running || loading) return;
    const timer = setInterval(() => void refresh(), state.portOpen ? POLL_WITH_PORT_MS : POLL_WITHOUT_PORT_MS);
    return () => clearInterval(timer);
  }, [running, loading, state.portOpen, refresh]);

  const checkAgain = useCallback(() => {
    dispatch({ type: 'retried' });
    void (async () => {
      if (loading) return;
      await refresh();
      await start();
    })();
  }, [loading, refresh, start]);

  const replace = useCallback((changed: Report): void => dispatch({ type: 'renamed', report: changed }), []);

  return { state, checkAgain, replace };
}
