// Runs async tasks with bounded concurrency, a deadline per task and one for all, reporting each as it settles.

/** Injected time: tests drive it with a fake clock, the extension with setTimeout. */
export interface Clock {
  now(): number;
  /** Calls `callback` after `ms`; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
}

export interface PoolTask<T> {
  /** How long this task may run once started; its signal aborts then. */
  deadlineMs: number;
  /** Tasks of one lane run one at a time, in order (other tasks may pass them); without one a task needs only a slot. */
  lane?: string;
  run(signal: AbortSignal): Promise<T>;
}

export type TaskOutcome<T> =
  | { kind: 'done'; value: T; ms: number }
  | { kind: 'failed'; error: unknown; ms: number }
  /** Still running at its own deadline (`task`) or at the pool's (`pool`). */
  | { kind: 'timeout'; by: 'task' | 'pool'; ms: number }
  /** Never started: the pool's deadline or the abort came first. */
  | { kind: 'skipped' }
  /** Running when the caller aborted. */
  | { kind: 'aborted'; ms: number };

export interface PoolOptions<T> {
  /** A number, or a function read each time a slot could be filled (a caller that learns the link is slow lowers it). */
  concurrency: number | (() => number);
  /** From the call of runPool; running tasks time out and queued ones are skipped at this point. */
  deadlineMs: number;
  clock: Clock;
  signal?: AbortSignal;
  /** Called once per task as it settles. If it throws, the pool stops and rejects with that error. */
  onSettled?: (index: number, outcome: TaskOutcome<T>) => void;
}

/**
 * Resolves with one outcome per task, in task order, as soon as every task has settled (a task
 * that ignores its signal is abandoned at its deadline, its late result dropped). Never rejects
 * because of a task; rejects only if `onSettled` throws.
 */
export function runPool<T>(tasks: readonly PoolTask<T>[], options: PoolOptions<T>): Promise<TaskOutcome<T>[]> {
  const { clock, signal } = options;
  const concurrency = (): number => Math.max(1, Math.floor(typeof options.concurrency === 'function' ? options.concurrency() : options.concurrency));
  const outcomes: (TaskOutcome<T> | undefined)[] = tasks.map(() => undefined);
  const running = new Map<number, { controller: AbortController; startedAt: number; cancelTimer: () => void; lane?: string }>();
  /** Tasks not started yet, in order. */
  let waiting = tasks.map((_, index) => index);
  const busyLanes = new Set<string>();
  let settledCount = 0;
  let closed = false;
  /** Set at the pool deadline or on abort: nothing new starts after that. */
  let stopped = false;

  return new Promise<TaskOutcome<T>[]>((resolve, reject) => {
    const cancelPoolTimer = clock.after(Math.max(0, options.deadlineMs), () => stopAll('pool'));
    const onAbort = (): void => stopAll('abort');
    signal?.addEventListener('abort', onAbort);

    function finish(): void {
      if (closed) return;
      closed = true;
      cancelPoolTimer();
      signal?.removeEventListener('abort', onAbort);
      resolve(outcomes.map((outcome) => outcome ?? { kind: 'skipped' }));
    }

    function fail(error: unknown): void {
      if (closed) return;
      closed = true;
      cancelPoolTimer();
      signal?.removeEventListener('abort', onAbort);
      for (const entry of running.values()) {
        entry.cancelTimer();
        entry.controller.abort();
      }
      running.clear();
      reject(error instanceof Error ? error : new Error(String(error)));
    }

    function settle(index: number, outcome: TaskOutcome<T>): void {
      if (closed || outcomes[index] !== undefined) return;
      outcomes[index] = outcome;
      settledCount++;
      const entry = running.get(index);
      if (entry) {
        entry.cancelTimer();
        running.delete(index);
        if (entry.lane !== undefined) busyLanes.delete(entry.lane);
        // Let a task that is still working (timeout, abort) stop its I/O.
        if (outcome.kind !== 'done' && outcome.kind !== 'failed') entry.controller.abort();
      }
      try {
        options.onSettled?.(index, outcome);
      } catch (error) {
        fail(error);
        return;
      }
      if (settledCount === tasks.length) finish();
      else fill();
    }

    function stopAll(reason: 'pool' | 'abort'): void {
      if (closed) return;
      stopped = true;
      for (const [index, entry] of [...running]) {
        const ms = clock.now() - entry.startedAt;
        settle(index, reason === 'pool' ? { kind: 'timeout', by: 'pool', ms } : { kind: 'aborted', ms });
        if (closed) return;
      }
      const unstarted = waiting;
      waiting = [];
      for (const index of unstarted) {
        settle(index, { kind: 'skipped' });
        if (closed) return;
      }
    }

    function start(index: number, task: PoolTask<T>): void {
      const controller = new AbortController();
      const startedAt = clock.now();
      const cancelTimer = clock.after(Math.max(0, task.deadlineMs), () =>
        settle(index, { kind: 'timeout', by: 'task', ms: clock.now() - startedAt }),
      );
      running.set(index, { controller, startedAt, cancelTimer, ...(task.lane === undefined ? {} : { lane: task.lane }) });
      if (task.lane !== undefined) busyLanes.add(task.lane);
      let promise: Promise<T>;
      try {
        promise = task.run(controller.signal);
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(
        (value) => settle(index, { kind: 'done', value, ms: clock.now() - startedAt }),
        (error: unknown) => settle(index, { kind: 'failed', error, ms: clock.now() - startedAt }),
      );
    }

    function fill(): void {
      while (!closed && !stopped && running.size < concurrency()) {
        const at = waiting.findIndex((index) => {
          const lane = tasks[index]?.lane;
          return lane === undefined || !busyLanes.has(lane);
        });
        if (at < 0) return;
        const [index] = waiting.splice(at, 1);
        const task = index === undefined ? undefined : tasks[index];
        if (index !== undefined && task) start(index, task);
      }
    }

    if (tasks.length === 0) finish();
    else if (signal?.aborted) stopAll('abort');
    else fill();
  });
}
