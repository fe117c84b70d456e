// The popup's sustained call test: started on request over its own port, with progress and the validated result.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import * as v from 'valibot';
import type { Runtime } from 'webextension-polyfill';
import { browser } from '../ui/extension-api';
import type { CallTestProgress } from '../core/call-test';
import { CallTestSchema, type CallTest } from '../core/call-test-result';
import { CALL_TEST_PORT, type CallTestPortRequest } from '../core/messages';
import { schemaError } from '../core/schema-error';

export type CallTestState =
  | { kind: 'idle' }
  /** `waiting`: a check's quick call window holds the relay; the test starts once it has ended. */
  | { kind: 'running'; progress: CallTestProgress | null; waiting?: boolean }
  | { kind: 'done'; result: CallTest }
  /**
   * A full test through the same relay server ended too recently (call-test-spacing.ts): another may start at
   * `until`. The last result of this popup, if any, stays in view meanwhile and after.
   */
  | { kind: 'spaced'; until: number; last?: CallTest }
  | { kind: 'failed'; message: string };

function field(message: unknown, key: string): unknown {
  return typeof message === 'object' && message !== null ? (message as Record<string, unknown>)[key] : undefined;
}

export function useCallTest(): { state: CallTestState; start(): void } {
  const [state, setState] = useState<CallTestState>({ kind: 'idle' });
  const port = useRef<Runtime.Port | null>(null);
  const last = useRef<CallTest | undefined>(undefined);

  useEffect(() => () => port.current?.disconnect(), []);

  // Spaced: the button comes back once the wait is over.
  const until = state.kind === 'spaced' ? state.until : undefined;
  useEffect(() => {
    if (until === undefined) return;
    const over = (current: CallTestState): CallTestState => {
      if (current.kind !== 'spaced') return current;
      return current.last === undefined ? { kind: 'idle' } : { kind: 'done', result: current.last };
    };
    const timer = setTimeout(() => setState(over), Math.max(0, until - Date.now()));
    return () => clearTimeout(timer);
  }, [until]);

  const start = useCallback(() => {
    port.current?.disconnect();
    const opened = browser.runtime.connect({ name: CALL_TEST_PORT });
    port.current = opened;
    setState({ kind: 'running', progress: null });
    opened.onMessage.addListener((message: unknown) => {
      switch (field(message, 'type')) {
        case 'waiting':
          setState((current) => (current.kind === 'running' && current.progress === null ? { kind: 'running', progress: null, waiting: true } : current));
          return;
        case 'progress': {
          const progress = field(message, 'progress') as CallTestProgress;
          setState((current) => (current.kind === 'running' ? { kind: 'running', progress } : current));
          return;
        }
        case 'done': {
          // The result crosses a boundary: what does not validate is an error, not a half-drawn answer.
          const parsed = v.safeParse(CallTestSchema, field(message, 'result'));
          if (parsed.success) last.current = parsed.output;
          setState(parsed.success ? { kind: 'done', result: parsed.output } : { kind: 'failed', message: schemaError('call test result', parsed.issues) });
          opened.disconnect();
          return;
        }
        case 'spaced': {
          const waitMs = Number(field(message, 'waitMs'));
          const shown = last.current === undefined ? {} : { last: last.current };
          setState(Number.isFinite(waitMs) ? { kind: 'spaced', until: Date.now() + waitMs, ...shown } : { kind: 'failed', message: 'the background refused the call test' });
          opened.disconnect();
          return;
        }
        case 'error':
          setState({ kind: 'failed', message: String(field(message, 'message')) });
          opened.disconnect();
          return;
        default:
          return;
      }
    });
    opened.onDisconnect.addListener(() => {
      setState((current) => (current.kind === 'running' ? { kind: 'failed', message: 'the background closed the call test' } : current));
    });
    const request: CallTestPortRequest = { type: 'start', duration: 'full' };
    opened.postMessage(request);
  }, []);

  return { state, start };
}
