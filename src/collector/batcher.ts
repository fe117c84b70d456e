// Group commit for both stores: reports that arrive while a batch is being written go into the next one, one transaction each.
import { MAX_PENDING_REPORTS, StoreUnavailableError } from './store';
import type { ReportToStore } from './store';

type InsertResult = 'created' | 'duplicate';

interface Pending {
  entry: ReportToStore;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /**
   * Writes the reports (ids unique within the call) and their day counts in one transaction and
   * returns the ids it stored; ids already in the database are left out. All or nothing.
   */
  write(entries: readonly ReportToStore[]): Promise<ReadonlySet<string>> | ReadonlySet<string>;
  /** An error that only this report can cause (a constraint): the batch is then retried report by report. */
  isReportError(error: unknown): boolean;
  /** Batches in flight at once (PostgreSQL overlaps one commit with the next batch's statement; SQLite's writer thread queues the next while it commits). */
  concurrency: number;
  maxBatch: number;
  maxPending?: number;
}

export interface Batcher {
  insert(entry: ReportToStore): Promise<InsertResult>;
  /** Resolves once every report queued so far has been written or has failed. */
  drain(): Promise<void>;
}

export function createBatcher(options: BatcherOptions): Batcher {
  const { write, isReportError, concurrency, maxBatch, maxPending = MAX_PENDING_REPORTS } = options;
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

  async function writeUnique(batch: Pending[]): Promise<void> {
    // The first of several reports with one id is written; the others wait for it and are duplicates.
    const first = new Map<string, Pending>();
    const followers: [Pending, Pending][] = [];
    for (const item of batch) {
      const leader = first.get(item.entry.report.id);
      if (leader === undefined) first.set(item.entry.report.id, item);
      else followers.push([item, leader]);
    }
    const leaders = [...first.values()];
    const outcome = new Map<Pending, { ok: true; result: InsertResult } | { ok: false; error: unknown }>();
    try {
      const created = await write(leaders.map((p) => p.entry));
      for (const p of leaders) outcome.set(p, { ok: true, result: created.has(p.entry.report.id) ? 'created' : 'duplicate' });
    } catch (error) {
      if (leaders.length > 1 && isReportError(error)) {
        for (const p of leaders) {
          try {
            const created = await write([p.entry]);
            outcome.set(p, { ok: true, result: created.has(p.entry.report.id) ? 'created' : 'duplicate' });
          } catch (single) {
            outcome.set(p, { ok: false, error: single });
          }
        }
      } else {
        for (const p of leaders) outcome.set(p, { ok: false, error });
      }
    }
    // A follower stored nothing: the id was written (or already there) by its leader, or failed with it.
    for (const [item, leader] of followers) {
      const o = outcome.get(leader) ?? { ok: false, error: new Error('not written') };
      outcome.set(item, o.ok ? { ok: true, result: 'duplicate' } : o);
    }
    for (const item of batch) {
      const o = outcome.get(item);
      if (o?.ok === true) item.resolve(o.result);
      else item.reject(o?.error ?? new Error('report was not written'));
    }
  }

  function pump(): void {
    scheduled = false;
    while (inFlight < concurrency && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight += 1;
      void writeUnique(batch).finally(() => {
        inFlight -= 1;
        if (queue.length > 0) schedule();
        else if (inFlight === 0) {
          const waiting = idle;
          idle = [];
          for (const resolve of waiting) resolve();
        }
      });
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate: every request that arrived in this turn of the event loop joins the batch.
    setImmediate(pump);
  }

  return {
    insert(entry) {
      if (queue.length >= maxPending) {
        return Promise.reject(new StoreUnavailableError('too many reports are waiting to be written'));
      }
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
