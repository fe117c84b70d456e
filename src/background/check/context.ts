// What every pass of a check works with: the run's catalog, probes and options, its report, its signal.
import type { Catalog } from '../../core/catalog';
import type { Addition } from '../../core/check-fold';
import { runPool, type Clock, type PoolTask, type TaskOutcome } from '../../core/pool';
import type { Observations, Phase } from '../../core/report';
import type { CheckDeps, CheckExtras, CheckOptions } from './deps';

export interface RunContext {
  readonly catalog: Catalog;
  readonly deps: CheckDeps;
  readonly options: Required<CheckOptions>;
  readonly extras: CheckExtras;
  readonly clock: Clock;
  /** Aborts on a cancel, on a failure of the run, and once its final report is out. */
  readonly signal: AbortSignal;
  /** The observations so far. */
  observations(): Observations;
  /** Folds observations into the report; the rows are judged again soon. */
  record(add: Addition): void;
  /** Judges the rows now and publishes them (a pass's end). */
  judgeNow(): void;
  /** Cancelled or failed: a pass stops starting probes. */
  stopped(): boolean;
  /** A problem that says nothing about the network (a probe that threw, a failed save). */
  warn(message: string, error?: unknown): void;
  /** A prober broke: logged, or the end of the run when it met the browser's connection limit. */
  probeBroke(message: string, error: unknown): void;
  /** Runs one phase, with its start and end in the report; resolves with its value. */
  phase<T>(name: Phase, run: () => Promise<T>): Promise<T>;
}

/** Runs `tasks` in the check's pool: the run's clock and signal, the options' concurrency unless given. */
export function runInPool<T>(
  ctx: RunContext,
  tasks: PoolTask<T>[],
  deadlineMs: number,
  onSettled: (index: number, outcome: TaskOutcome<T>) => void,
  concurrency: number | (() => number) = ctx.options.concurrency,
): Promise<TaskOutcome<T>[]> {
  return runPool(tasks, { concurrency, deadlineMs, clock: ctx.clock, signal: ctx.signal, onSettled });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.after(ms, done);
    signal.addEventListener('abort', done, { once: true });
  });
}
