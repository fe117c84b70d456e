import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runPool, type Clock, type PoolTask, type TaskOutcome } from '../../src/core/pool';

const clock: Clock = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

function sleepTask<T>(ms: number, value: T, deadlineMs = 10_000): PoolTask<T> {
  return {
    deadlineMs,
    run: (signal) =>
      new Promise<T>((resolve, reject) => {
        const handle = setTimeout(() => resolve(value), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(handle);
          reject(new Error('aborted'));
        });
      }),
  };
}

/** A task that never settles and ignores its signal, like an ICE probe whose prober hangs. */
function hangingTask(deadlineMs: number): PoolTask<string> {
  return { deadlineMs, run: () => new Promise<string>(() => undefined) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runPool', () => {
  it('runs at most `concurrency` tasks at once and reports each as it settles', async () => {
    let inFlight = 0;
    let peak = 0;
    const tasks: PoolTask<number>[] = [100, 300, 200, 50, 10].map((ms, i) => ({
      deadlineMs: 1000,
      run: async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, ms));
        inFlight--;
        return i;
      },
    }));
    const order: number[] = [];
    const done = runPool(tasks, { concurrency: 2, deadlineMs: 5000, clock, onSettled: (index) => order.push(index) });
    await vi.advanceTimersByTimeAsync(1000);
    const outcomes = await done;
    expect(peak).toBe(2);
    // 0 (100 ms) and 1 (300 ms) start; 2 takes 0's slot at 100 and ends at 300 with 1; then 3 (50) and 4 (10).
    expect(order).toEqual([0, 1, 2, 4, 3]);
    expect(outcomes.map((o) => (o.kind === 'done' ? o.value : null))).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs the tasks of one lane one at a time and in order, while other tasks pass them; a timed-out task frees its lane', async () => {
    const task = (ms: number, lane?: string, deadlineMs = 1000): PoolTask<number> => ({
      deadlineMs,
      ...(lane === undefined ? {} : { lane }),
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      },
    });
    const tasks = [task(300, 'a'), task(300, 'a'), task(100), task(5000, 'b', 200), task(100, 'b'), task(100)];
    const startedAt = new Map<number, number>();
    const wrapped = tasks.map((t, i): PoolTask<number> => ({ ...t, run: (signal) => (startedAt.set(i, Date.now()), t.run(signal)) }));
    const done = runPool(wrapped, { concurrency: 3, deadlineMs: 5000, clock });
    await vi.advanceTimersByTimeAsync(2000);
    const outcomes = await done;
    // 0 (lane a), 2 (no lane) and 3 (lane b) start at once: 1 waits for lane a, 4 for lane b.
    expect([0, 2, 3].map((i) => startedAt.get(i))).toEqual([0, 0, 0]);
    expect(startedAt.get(5)).toBe(100);
    // 3 times out at 200 ms and frees lane b; 1 starts when 0 ends.
    expect(startedAt.get(4)).toBe(200);
    expect(startedAt.get(1)).toBe(300);
    expect(outcomes[3]).toMatchObject({ kind: 'timeout', by: 'task' });
    expect(outcomes.filter((o) => o.kind === 'done')).toHaveLength(5);
  });

  it('skips the waiting tasks of a busy lane at the overall deadline', async () => {
    const tasks = [sleepTask(1000, 'x'), sleepTask(1000, 'y')].map((t) => ({ ...t, lane: 'one' }));
    const done = runPool(tasks, { concurrency: 4, deadlineMs: 500, clock });
    await vi.advanceTimersByTimeAsync(600);
    expect((await done).map((o) => o.kind)).toEqual(['timeout', 'skipped']);
  });

  it('times a task out at its own deadline and aborts its signal', async () => {
    let aborted = false;
    const task: PoolTask<string> = {
      deadlineMs: 500,
      run: (signal) =>
        new Promise<string>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    };
    const done = runPool([task, sleepTask(100, 'ok')], { concurrency: 4, deadlineMs: 5000, clock });
    await vi.advanceTimersByTimeAsync(500);
    const outcomes = await done;
    expect(outcomes[0]).toEqual({ kind: 'timeout', by: 'task', ms: 500 });
    expect(outcomes[1]).toEqual({ kind: 'done', value: 'ok', ms: 100 });
    expect(aborted).toBe(true);
  });

  it('ends at the overall deadline even when every task hangs, skipping those never started', async () => {
    const tasks = [hangingTask(10_000), hangingTask(10_000), hangingTask(10_000)];
    let resolvedAt: number | undefined;
    const done = runPool(tasks, { concurrency: 2, deadlineMs: 3000, clock }).then((outcomes) => {
      resolvedAt = Date.now();
      return outcomes;
    });
    await vi.advanceTimersByTimeAsync(3000);
    const outcomes = await done;
    expect(resolvedAt).toBe(3000);
    expect(outcomes).toEqual([
      { kind: 'timeout', by: 'pool', ms: 3000 },
      { kind: 'timeout', by: 'pool', ms: 3000 },
      { kind: 'skipped' },
    ]);
  });

  it('turns a rejecting or throwing task into a failed outcome', async () => {
    const error = new Error('boom');
    const tasks: PoolTask<string>[] = [
      { deadlineMs: 100, run: () => Promise.reject(error) },
      {
        deadlineMs: 100,
        run: () => {
          throw error;
        },
      },
      sleepTask(10, 'fine'),
    ];
    const done = runPool(tasks, { concurrency: 3, deadlineMs: 1000, clock });
    await vi.advanceTimersByTimeAsync(10);
    const outcomes = await done;
    expect(outcomes[0]).toMatchObject({ kind: 'failed', error });
    expect(outcomes[1]).toMatchObject({ kind: 'failed', error });
    expect(outcomes[2]).toMatchObject({ kind: 'done', value: 'fine' });
  });

  it('stops at once on abort: running tasks aborted, queued ones skipped', async () => {
    const controller = new AbortController();
    const done = runPool([sleepTask(1000, 'a'), sleepTask(1000, 'b')], {
      concurrency: 1,
      deadlineMs: 5000,
      clock,
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    const outcomes = await done;
    expect(outcomes).toEqual([{ kind: 'aborted', ms: 200 }, { kind: 'skipped' }]);
  });

  it('skips everything when the signal is already aborted', async () => {
    const run = vi.fn(() => Promise.resolve('x'));
    const outcomes = await runPool([{ deadlineMs: 10, run }], {
      concurrency: 1,
      deadlineMs: 100,
      clock,
      signal: AbortSignal.abort(),
    });
    expect(outcomes).toEqual([{ kind: 'skipped' }]);
    expect(run).not.toHaveBeenCalled();
  });

  it('drops a late result of a task that already timed out', async () => {
    const settled: TaskOutcome<string>[] = [];
    const done = runPool([{ deadlineMs: 100, run: () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 300)) }], {
      concurrency: 1,
      deadlineMs: 1000,
      clock,
      onSettled: (_index, outcome) => settled.push(outcome),
    });
    await vi.advanceTimersByTimeAsync(400);
    expect(await done).toEqual([{ kind: 'timeout', by: 'task', ms: 100 }]);
    expect(settled).toHaveLength(1);
  });

  it('resolves at once for no tasks', async () => {
    expect(await runPool([], { concurrency: 4, deadlineMs: 100, clock })).toEqual([]);
  });

  it('rejects when onSettled throws, aborting the tasks still running', async () => {
    let abortedSecond = false;
    const second: PoolTask<string> = {
      deadlineMs: 5000,
      run: (signal) =>
        new Promise<string>(() => {
          signal.addEventListener('abort', () => {
            abortedSecond = true;
          });
        }),
    };
    const done = runPool([sleepTask(10, 'a'), second], {
      concurrency: 2,
      deadlineMs: 5000,
      clock,
      onSettled: () => {
        throw new Error('listener bug');
      },
    });
    const assertion = expect(done).rejects.toThrow('listener bug');
    await vi.advanceTimersByTimeAsync(10);
    await assertion;
    expect(abortedSecond).toBe(true);
  });
});
