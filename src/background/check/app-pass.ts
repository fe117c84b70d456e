// The parallel pass: every app target at once in a bounded pool, while RTT samples watch what its load does to the link.
import type { IceTarget } from '../../core/catalog';
import { planApps, type ProbeResults, type ProbeTask } from '../../core/check-plan';
import { APP_PASS, CONFIRM_CEILING, CONFIRM_QUEUE_MS, queueingMs, type ProbeDeadlines } from '../../core/deadlines';
import { quickCallFits } from '../../core/quick-call';
import { rttFromSamples } from '../../core/rtt';
import type { HttpProbeResult, IceProbeResult } from '../../core/report';
import { pause, type RunContext } from './context';
import { runTasks } from './probe-tasks';
import type { QuickCall } from './quick-call-window';

/** Loaded-RTT samples: one at a time, this far apart, while the app probes run (each opens one RTCPeerConnection). */
const LOAD_SAMPLE_GAP_MS = 200;
/** Loaded samples in a row that must show no slow link before the quick call window sends, and the gap between them. */
const QUICK_CALL_SAMPLES = 2;
const QUICK_DECISION_GAP_MS = 50;

/** What the pass leaves for the confirmation pass. */
export interface AppPassResult {
  /** Silence, held back until the confirmation pass says whether it was ours. */
  silences: ProbeResults;
  /** Tasks the pass never started before its deadline (its pool narrowed on a slow link). */
  unstarted: ProbeTask[];
  /** A loaded RTT sample went unanswered under the pass's load: the link is treated as queued from here on. */
  loadedLost: boolean;
}

/**
 * Runs the pass. Where the link's load can be watched (`rttTarget`: the control STUN server the idle RTT went to),
 * the pass opens with a part of the pool and widens it once a sample shows no queue, or narrows it to a few probes
 * if one does; the samples also tell the quick call window, if one is waiting, whether it may send.
 */
export async function runAppPass(ctx: RunContext, deadlines: ProbeDeadlines, rttTarget: IceTarget | undefined, quickCall: QuickCall | undefined): Promise<AppPassResult> {
  const silent: { http: HttpProbeResult[]; ice: IceProbeResult[] } = { http: [], ice: [] };
  const result: AppPassResult = { silences: silent, unstarted: [], loadedLost: false };
  const observations = ctx.observations();
  const plan = planApps(ctx.catalog, deadlines, observations.http, ctx.options.iceBatchSize);
  if (plan.reused.length > 0) ctx.record({ http: plan.reused });
  const sampling = new AbortController();
  let concurrency = rttTarget === undefined ? ctx.options.concurrency : Math.min(ctx.options.concurrency, APP_PASS.openingConcurrency);
  const idle = observations.rtt?.samples.length ? observations.rtt.medianMs : undefined;
  // The quick call window sends only once QUICK_CALL_SAMPLES samples in a row show no slow link: the first can leave
  // before the pass's own traffic has queued anything, and a window sent on a 256/128 kbit/s link would fill it with
  // its voice streams. Until it is told, the samples follow each other closely.
  let fitting = 0;
  const undecided = (): boolean => quickCall?.undecided() ?? false;
  /** When the oldest sample still unanswered went out (one that came back empty was lost: still unanswered). */
  let waitingSince: number | undefined;
  const samples =
    rttTarget === undefined
      ? Promise.resolve([])
      : sampleLoad(ctx, rttTarget, sampling.signal, {
          onSample: (sampleMs) => {
            waitingSince = undefined;
            if (!quickCallFits(idle, sampleMs)) quickCall?.decide(false);
            else if (++fitting >= QUICK_CALL_SAMPLES) quickCall?.decide(true);
            concurrency = (queueingMs(idle, sampleMs) ?? 0) >= CONFIRM_QUEUE_MS ? APP_PASS.queuedConcurrency : ctx.options.concurrency;
          },
          onSend: (at) => {
            waitingSince ??= at;
          },
          gapMs: () => (undecided() ? QUICK_DECISION_GAP_MS : LOAD_SAMPLE_GAP_MS),
          onLost: () => {
            // No answer within the probe's deadline, under the pass's load: a full queue dropped it, or loss. Either
            // way the pass goes a few at a time, and so does the confirmation pass after a drain (lab slow-256k-relay,
            // once in twenty checks: every loaded sample lost, the pool stayed wide, both passes crowded the 256/128
            // kbit/s link, and web hosts and reflected ports read silent twice).
            result.loadedLost = true;
            concurrency = APP_PASS.queuedConcurrency;
          },
        });
  await runTasks(ctx, plan.tasks, deadlines.appPhaseMs, () => concurrency, {
    attempts: () => 1,
    held: {
      silence: (held) => {
        silent.http.push(...held.http);
        silent.ice.push(...held.ice);
      },
      unstarted: (task) => result.unstarted.push(task),
    },
  });
  sampling.abort();
  // Not told yet: a sample did not come back during the pass. The time since the oldest unanswered one was sent is
  // the least its round trip can take: where that already reads as a slow link (a queue, or samples lost under
  // load), the window does not send; where it does not (a pass over within a few round trips), it sends now, beside
  // the passes that follow. (Between samples, with every one answered and fitting, nothing says otherwise.)
  quickCall?.decide(quickCallFits(idle, waitingSince === undefined ? 0 : ctx.deps.now() - waitingSince));
  const loaded = await samples;
  if (rttTarget !== undefined && loaded.length > 0) ctx.record({ loadedRtt: rttFromSamples(rttTarget.id, loaded) });
  return result;
}

/**
 * Sequential single RTT samples to `target` while `signal` is live. An unanswered sample is left out (no made-up
 * figure); one still in flight when the pass ends is not waited for.
 */
async function sampleLoad(
  ctx: RunContext,
  target: IceTarget,
  signal: AbortSignal,
  on: { onSample(ms: number): void; onSend(at: number): void; onLost(): void; gapMs(): number },
): Promise<number[]> {
  const samples: number[] = [];
  const stop = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  while (!signal.aborted && !ctx.stopped()) {
    on.onSend(ctx.deps.now());
    const sample = await Promise.race([ctx.deps.probeRtt(target, 1, CONFIRM_CEILING.iceUdpMs).catch(() => null), stop]);
    if (sample === null) break;
    if (sample.samples.length === 0) on.onLost();
    samples.push(...sample.samples);
    for (const ms of sample.samples) on.onSample(ms);
    await pause(ctx.clock, on.gapMs(), signal);
  }
  return samples;
}
