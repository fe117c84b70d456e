// The popup's view of the check: the last result at once, a new check started on open, progress by port (polling as a fallback).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { browser } from '../ui/extension-api';
import { PROGRESS_PORT } from '../core/messages';
import { parseReport, type Report } from '../core/report';
import { ask } from '../ui/ask';
import { newerReport } from './report-merge';

export type CheckError = { kind: 'state' | 'start'; message: string };

export interface CheckSession {
  /** The newest copy of the newest check, running or finished. */
  report: Report | null;
  /** The newest finished check, shown as "last result" while a new one runs. */
  lastFinished: Report | null;
  /** getState has not answered yet. */
  loading: boolean;
  /** A check was requested and has not reported yet, or one is running. */
  running: boolean;
  error: CheckError | null;
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
  const [report, setReport] = useState<Report | null>(null);
  const [lastFinished, setLastFinished] = useState<Report | null>(null);
  const [loading, setLoading] = useState(true);
  const [awaitedId, setAwaitedId] = useState<string | null>(null);
  const [requesting, setRequesting] = useState(false);
  const [portOpen, setPortOpen] = useState(true);
  const [error, setError] = useState<CheckError | null>(null);
  const mounted = useRef(true);

  const accept = useCallback((data: unknown): void => {
    const parsed = parseReport(data);
    if (!parsed.ok) {
      // A report this version cannot read is dropped, not rendered half-way; the console keeps why.
      console.warn('ignored a report that does not validate:', parsed.error);
      return;
    }
    const incoming = parsed.report;
    setReport((current) => newerReport(current, incoming));
    if (incoming.status !== 'running') setLastFinished((current) => newerReport(current, incoming));
    setAwaitedId((id) => (id === incoming.id ? null : id));
  }, []);

  const start = useCallback(async (): Promise<void> => {
    setRequesting(true);
    const answer = await ask({ type: 'startCheck' });
    if (!mounted.current) return;
    setRequesting(false);
    if (answer.ok) {
      setError(null);
      setAwaitedId(answer.value.reportId);
    } else {
      setError({ kind: 'start', message: answer.error });
    }
  }, []);

  const refresh = useCallback(async (): Promise<boolean> => {
    const state = await ask({ type: 'getState' });
    if (!mounted.current) return false;
    if (!state.ok) {
      setError((current) => current ?? { kind: 'state', message: state.error });
      return false;
    }
    if (state.value.report !== null) accept(state.value.report);
    // Nothing runs (the awaited check ended, or never began): stop waiting rather than spin forever.
    if (!state.value.running) setAwaitedId(null);
    return state.value.running;
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
      if (mounted.current) setPortOpen(false);
    });
    void (async () => {
      const alreadyRunning = await refresh();
      if (!mounted.current) return;
      setLoading(false);
      if (alreadyRunning) {
        // getState gives the running check only; the last finished one is the newest in history.
        const history = await ask({ type: 'getHistory' });
        if (history.ok) history.value.reports.forEach(accept);
      }
      await start();
    })();
    // Closing the popup only stops listening: the background finishes the check on its own.
    return () => {
      mounted.current = false;
      port.disconnect();
    };
  }, [accept, refresh, start]);

  const running = requesting || awaitedId !== null || report?.status === 'running';

  useEffect(() => {
    if (!running || loading) return;
    const timer = setInterval(() => void refresh(), portOpen ? POLL_WITH_PORT_MS : POLL_WITHOUT_PORT_MS);
    return () => clearInterval(timer);
  }, [running, loading, portOpen, refresh]);

  const checkAgain = useCallback(() => {
    setError(null);
    void (async () => {
      if (loading) return;
      await refresh();
      await start();
    })();
  }, [loading, refresh, start]);

  // Not through newerReport: a renamed copy has the same results as the one held, and must still win.
  const replace = useCallback((changed: Report): void => {
    const swap = (current: Report | null) => (current?.id === changed.id ? changed : current);
    setReport(swap);
    setLastFinished(swap);
  }, []);

  return { report, lastFinished, loading, running, error, checkAgain, replace };
}
