// The sharing queue's rules: bounded, one entry per report id, backoff, and what each collector answer means.
import { describe, expect, it } from 'vitest';
import { QUEUE_LIMIT, enqueue, nextDue, outcomeOf, parseQueue, retryDelayMs } from '../../src/core/share-queue';
import type { SharedReport } from '../../src/core/shared-report';

function shared(n: number): SharedReport {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return { schema: 1, id, hour: '2026-11-23T05:00:00Z', extensionVersion: '0.1.0', catalogVersion: '2026.11.23', browser: { family: 'chrome', major: 156 }, apps: [], probes: [] };
}

describe('share queue', () => {
  it('queues a report once, however often it is offered', () => {
    const once = enqueue([], shared(1), 1000);
    expect(enqueue(once, shared(1), 2000)).toHaveLength(1);
  });

  it('keeps at most QUEUE_LIMIT reports, dropping the oldest', () => {
    let queue = enqueue([], shared(0), 0);
    for (let i = 1; i <= QUEUE_LIMIT; i += 1) queue = enqueue(queue, shared(i), i);
    expect(queue).toHaveLength(QUEUE_LIMIT);
    expect(queue[0]?.report.id).toBe(shared(1).id);
  });

  it('backs off exponentially from a minute, up to six hours', () => {
    expect(retryDelayMs(1)).toBe(60_000);
    expect(retryDelayMs(2)).toBe(120_000);
    expect(retryDelayMs(5)).toBe(960_000);
    expect(retryDelayMs(30)).toBe(6 * 3_600_000);
  });

  it.each([
    [202, 'delivered'],
    [200, 'delivered'],
    [undefined, 'retry'],
    [429, 'retry'],
    [408, 'retry'],
    [503, 'retry'],
    [400, 'rejected'],
    [413, 'rejected'],
  ] as const)('reads HTTP %s as %s', (status, outcome) => {
    expect(outcomeOf(status)).toBe(outcome);
  });

  it('drops stored items that do not validate and keeps the rest', () => {
    const good = enqueue([], shared(7), 5);
    expect(parseQueue([...good, { report: { id: 'x' }, attempts: 0, notBefore: 0 }, 'junk'])).toEqual(good);
    expect(parseQueue('not a list')).toEqual([]);
  });

  it('says when the next item is due', () => {
    expect(nextDue([])).toBeUndefined();
    const queue = enqueue(enqueue([], shared(1), 500), shared(2), 100);
    expect(nextDue(queue)).toBe(100);
  });
});
