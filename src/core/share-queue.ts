// The sharing queue's rules, pure: what to keep, when to retry, what a collector answer means. Storage and timers live in the background.
import * as v from 'valibot';
import { SharedReportSchema, type SharedReport } from './shared-report';

/** Upper bound on reports waiting to be sent: a week offline with a check a day fits many times over. */
export const QUEUE_LIMIT = 100;
const BASE_DELAY_MS = 60_000;
const MAX_DELAY_MS = 6 * 3_600_000;

export const QueueItemSchema = v.object({
  report: SharedReportSchema,
  attempts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Epoch ms before which the item is not tried again. */
  notBefore: v.number(),
});
export type QueueItem = v.InferOutput<typeof QueueItemSchema>;

/** Reads the stored queue; invalid items are dropped (they could never be accepted). */
export function parseQueue(data: unknown): QueueItem[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((item: unknown) => {
    const parsed = v.safeParse(QueueItemSchema, item);
    return parsed.success ? [parsed.output] : [];
  });
}

/** Adds a report unless one with its id is already queued; the oldest go first when the queue is full. */
export function enqueue(queue: readonly QueueItem[], report: SharedReport, now: number): QueueItem[] {
  if (queue.some((item) => item.report.id === report.id)) return [...queue];
  return [...queue, { report, attempts: 0, notBefore: now }].slice(-QUEUE_LIMIT);
}

/** Exponential backoff from one minute, capped at six hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

export type SendOutcome = 'delivered' | 'rejected' | 'retry';

/**
 * 2xx: delivered (a replayed id is answered like a new one, so a lost answer costs nothing). 408/429 and 5xx:
 * try later. Any other 4xx: the collector will never take this report; keeping it would retry forever.
 * A network error (status undefined): try later.
 */
export function outcomeOf(status: number | undefined): SendOutcome {
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'rejected';
}

/** The next time any item is due, for the retry alarm; undefined when the queue is empty. */
export function nextDue(queue: readonly QueueItem[]): number | undefined {
  return queue.length === 0 ? undefined : Math.min(...queue.map((item) => item.notBefore));
}
