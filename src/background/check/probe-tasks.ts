// Probe tasks of the plan (check-plan.ts) run in the check's pool, each outcome folded in (check-fold.ts foldTask).
import { foldTask, type ProbeValue } from '../../core/check-fold';
import type { ProbeResults, ProbeTask } from '../../core/check-plan';
import { GRACE_MS } from '../../core/deadlines';
import type { PoolTask } from '../../core/pool';
import { runInPool, type RunContext } from './context';

/** Where the parallel pass puts what it cannot count yet. */
interface Held {
  /** Silence, held back until the confirmation pass says whether it was ours. */
  silence(silent: ProbeResults): void;
  /** A task the pass did not probe (its pool narrowed on a slow link, its deadline came): probed later. */
  unstarted(task: ProbeTask): void;
}

export interface TaskRun {
  /** The probes a task's results count. */
  attempts(task: ProbeTask): number;
  /** Only in the parallel pass. */
  held?: Held;
  /** Hears of every task once its outcome is folded in. */
  settled?(task: ProbeTask): void;
}

/** Runs `tasks` within `passMs`, folding each outcome into the report as it comes. */
export async function runTasks(
  ctx: RunContext,
  tasks: readonly ProbeTask[],
  passMs: number,
  concurrency: number | (() => number),
  run: TaskRun,
): Promise<void> {
  const { held, settled } = run;
  const poolTasks = tasks.map((task) => poolTask(ctx, task, held !== undefined));
  await runInPool(
    ctx,
    poolTasks,
    passMs,
    (index, outcome) => {
      const task = tasks[index];
      if (!task) return;
      const folded = foldTask(task, outcome, { attempts: run.attempts(task), parallel: held !== undefined, ...(ctx.extras.residual === undefined ? {} : { residual: ctx.extras.residual }) });
      if (folded.kind === 'later') {
        // Not probed: a stopped check probes nothing more.
        if (!ctx.stopped()) held?.unstarted(task);
        return;
      }
      // A problem in our own code says nothing about the network. An ICE prober that broke (its result is absent, never
      // a false "blocked") may have met the browser's connection limit, which ends the check (probeBroke).
      const { problem } = folded;
      if (problem !== undefined) {
        if (task.kind === 'ice') ctx.probeBroke(problem.message, problem.error);
        else ctx.warn(problem.message, problem.error);
      }
      if (folded.held.http.length + folded.held.ice.length > 0) held?.silence(folded.held);
      ctx.record(folded.results);
      settled?.(task);
    },
    concurrency,
  );
}

function poolTask(ctx: RunContext, task: ProbeTask, parallel: boolean): PoolTask<ProbeValue> {
  const lane = task.lane === undefined ? {} : { lane: task.lane };
  switch (task.kind) {
    case 'ice': {
      const representatives = task.groups.flatMap(({ targets }) => targets.slice(0, 1));
      return {
        deadlineMs: task.deadlineMs + GRACE_MS,
        ...lane,
        run: async (): Promise<ProbeValue> => {
          // In the parallel pass a plain-TCP TURN probe goes only where its TLS siblings answered: where they were
          // silent it waits for their second probe (check-plan.ts siblingsFirst), so it cannot silence them.
          if (parallel && task.afterTls !== undefined && !task.afterTls.every((id) => answered(ctx, id))) return { kind: 'deferred' };
          return { kind: 'ice', results: await ctx.deps.probeIce(representatives, task.deadlineMs) };
        },
      };
    }
    case 'http': {
      const [target] = task.targets;
      return {
        deadlineMs: task.deadlineMs + GRACE_MS,
        ...lane,
        run: async (signal) => {
          if (!target) throw new Error('empty target group');
          return { kind: 'http', result: await ctx.deps.probeHttp(target, task.deadlineMs, signal) };
        },
      };
    }
    default: {
      const unreachable: never = task;
      return unreachable;
    }
  }
}

/** Whether a target has answered in this check so far. */
function answered(ctx: RunContext, id: string): boolean {
  return ctx.observations().ice.some((r) => r.id === id && r.outcome === 'reachable');
}
