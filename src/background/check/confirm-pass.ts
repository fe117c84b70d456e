// The confirmation pass: the parallel pass's silence probed again, a few at a time, once the link has drained.
import type { IceTarget } from '../../core/catalog';
import { confirmPassMs, planConfirmation, siblingsFirst, taskIds, withConfirmDeadline, type ProbeTask } from '../../core/check-plan';
import { CONFIRM_CEILING, CONFIRM_QUEUE_MS, GRACE_MS, PHASE_SLACK_MS, QUEUED_DRAIN, queueingMs, type ConfirmDeadlines } from '../../core/deadlines';
import { CONFIRMING_PASSES } from '../../core/silence';
import type { AppPassResult } from './app-pass';
import { pause, type RunContext } from './context';
import { runTasks } from './probe-tasks';

/**
 * The parallel pass's silences, probed again a few at a time now that the link has drained, and the tasks it never
 * started, probed for the first time (their silence then is one pass's, which counts for nothing).
 */
export async function runConfirmPass(
  ctx: RunContext,
  deadlines: ConfirmDeadlines,
  left: Pick<AppPassResult, 'silences' | 'unstarted'>,
  rttTarget: IceTarget | undefined,
): Promise<void> {
  const observations = ctx.observations();
  const answered = new Set([...observations.http, ...observations.ice].filter((r) => r.outcome === 'reachable').map((r) => r.id));
  const again = planConfirmation(ctx.catalog, left.silences, observations.nat, deadlines, ctx.options.iceBatchSize, answered);
  const first = left.unstarted.map((task) => withConfirmDeadline(task, deadlines));
  if (again.length + first.length === 0) return;
  if (Number.isFinite(deadlines.concurrency)) await ctx.phase('drain', () => drain(ctx, rttTarget));
  if (ctx.stopped()) return;
  // A plain-TCP TURN probe that waited for its TLS siblings (residual.ts) runs beside the pass once their second
  // probes, sent first, have ended (check-plan.ts siblingsFirst), with its own deadline: the pass's end never cuts it.
  const firstTime = new Set<ProbeTask>(first.filter((task) => task.afterTls === undefined));
  const { tasks, waits } = siblingsFirst(
    [...again, ...firstTime],
    first.filter((task) => task.afterTls !== undefined),
  );
  const fromFirst = new Set([...firstTime].flatMap(taskIds));
  const beside: Promise<void>[] = [];
  const pending = waits.map((wait) => ({ plain: wait.plain, after: new Set(wait.after) }));
  const release = (): void => {
    for (const wait of pending.filter((w) => w.after.size === 0)) {
      pending.splice(pending.indexOf(wait), 1);
      if (ctx.stopped()) continue;
      const { plain } = wait;
      beside.push(runTasks(ctx, [plain], plain.deadlineMs + GRACE_MS + PHASE_SLACK_MS, 1, { attempts: () => 1 }));
    }
  };
  release();
  // By id: siblingsFirst hands back copies, and a TLS sibling the parallel pass never started is a first attempt.
  const attempts = (task: ProbeTask): number => (taskIds(task).every((id) => fromFirst.has(id)) ? 1 : CONFIRMING_PASSES);
  if (tasks.length > 0) {
    await runTasks(ctx, tasks, confirmPassMs(tasks, deadlines), deadlines.concurrency, {
      attempts,
      settled: (task) => {
        for (const wait of pending) wait.after.delete(task);
        release();
      },
    });
  }
  await Promise.all(beside);
  ctx.judgeNow();
}

/**
 * Waits for the link the parallel pass queued to drain (deadlines.ts QUEUED_DRAIN): RTT samples to the idle RTT's
 * server until one is back near the idle RTT. An unanswered sample is no news; the wait ends at its limit anyway.
 */
async function drain(ctx: RunContext, target: IceTarget | undefined): Promise<void> {
  const idle = ctx.observations().rtt?.medianMs;
  if (target === undefined || idle === undefined) return;
  const started = ctx.deps.now();
  const left = () => QUEUED_DRAIN.maxMs - (ctx.deps.now() - started);
  while (!ctx.stopped() && left() > 0) {
    const sample = await ctx.deps.probeRtt(target, 1, Math.min(CONFIRM_CEILING.iceUdpMs, left())).catch(() => null);
    const [ms] = sample?.samples ?? [];
    if (ms !== undefined && (queueingMs(idle, ms) ?? 0) < CONFIRM_QUEUE_MS) return;
    if (left() <= 0) return;
    await pause(ctx.clock, Math.min(QUEUED_DRAIN.gapMs, left()), ctx.signal);
  }
}
