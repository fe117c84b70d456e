// The quick call window of a check: a short call through our relay, beside the app probes, where the link allows.
import { GRACE_MS } from '../../core/deadlines';
import { QUICK_CALL_MS, quickCallKept, quickCallLimitMs, quickCallWindow } from '../../core/quick-call';
import { pause, type RunContext } from './context';

export interface QuickCall {
  /** Whether the window may send; the first word counts (the app pass's loaded samples), later ones do nothing. */
  decide(go: boolean): void;
  /** Not told yet whether it may send. */
  undecided(): boolean;
  /** Resolves once the window is over, measured or not; never rejects. */
  readonly done: Promise<void>;
}

/**
 * Starts the window, only with the relay the person allowed, and only where a loaded sample can tell the link (a
 * control STUN server answered, so `idleRttMs` is known). It connects to our relay at once, beside the controls' loss
 * burst (a TURN allocation and the handshakes: a few small packets, and none of the RTT samples is taken meanwhile),
 * and sends its voice stream only once `decide(true)`: two RTT samples in a row under the app pass's load show the
 * link is not slow (app-pass.ts; quick-call.ts quickCallFits says why never on a slow one). Connected before that is
 * known, the window fits the check's budget (QUICK_CALL_MS): started with the app pass, connecting under its load
 * took 0.5-0.6 s in the lab, past that sample. A slow link, a cancel or a failure closes it unsent. Its result is the
 * health of a call path to our relay, kept apart from every app's evidence: the judge never reads it, so it can make
 * no app read blocked (a censor may treat our addresses differently). Undefined where no window can run.
 */
export function startQuickCall(ctx: RunContext, idleRttMs: number | undefined): QuickCall | undefined {
  const { callRelay } = ctx.extras;
  const { probeCall } = ctx.deps;
  // A cancelled or failed check sends nothing more (the ICE host cannot take a loopback back once started).
  if (callRelay === undefined || probeCall === undefined || idleRttMs === undefined || ctx.stopped()) return undefined;
  let tell: (go: boolean) => void = () => undefined;
  const decided = new Promise<boolean>((resolve) => {
    tell = resolve;
  });
  let told = false;
  const { signal } = ctx;
  const decide = (go: boolean): void => {
    if (told) return;
    told = true;
    signal.removeEventListener('abort', refuse);
    tell(go && !ctx.stopped());
  };
  const refuse = (): void => decide(false);
  signal.addEventListener('abort', refuse, { once: true });
  const window = quickCallWindow(idleRttMs);
  const probing = probeCall(callRelay, QUICK_CALL_MS, window, decided).then(
    (test) => ({ test }),
    (error: unknown) => ({ error }),
  );
  const done = ctx.phase('call', async () => {
    if (!(await decided)) return;
    // A window the ICE host has not answered by every budget's end is not measured; it closes its own connections.
    const ran = await Promise.race([probing, pause(ctx.clock, quickCallLimitMs(window, GRACE_MS), signal).then(() => null)]);
    if (ran === null || ctx.stopped()) return;
    // Not app evidence: even the browser's connection limit, met here, only leaves the window unmeasured (app
    // probes that meet it end the check themselves).
    if ('error' in ran) return ctx.warn('quick call window failed', ran.error);
    const kept = quickCallKept(ran.test);
    if (kept !== undefined) ctx.record({ callTest: kept });
  });
  return { decide, undecided: () => !told, done };
}
