// Group commit: one write per turn of the event loop, duplicates within a batch, a bad report retried alone, and the queue bound.
import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/collector/batcher';
import { StoreUnavailableError } from '../../src/collector/store';
import type { ReportToStore } from '../../src/collector/store';
import { sharedReport } from './fixtures';

function entry(id?: string): ReportToStore {
  const report = sharedReport();
  return { report: id === undefined ? report : { ...report, id }, cc: 'MA', asn: 36903, receivedHour: '2026-06-18T14:00:00Z' };
}

describe('batcher', () => {
  it('writes everything queued in one turn as one batch, and a repeated id once', async () => {
    const batches: string[][] = [];
    const stored = new Set<string>();
    const batcher = createBatcher({
      write(entries) {
        batches.push(entries.map((e) => e.report.id));
        const created = new Set(entries.map((e) => e.report.id).filter((id) => !stored.has(id)));
        for (const id of created) stored.add(id);
        return created;
      },
      isReportError: () => false,
      concurrency: 1,
      maxBatch: 100,
    });
    const twin = entry();
    const results = await Promise.all([batcher.insert(entry()), batcher.insert(twin), batcher.insert(twin), batcher.insert(entry())]);
    expect(results).toEqual(['created', 'created', 'duplicate', 'created']);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(3);
    expect(await batcher.insert(twin)).toBe('duplicate');
  });

  it('retries a failed batch report by report when one report caused it, so only that one fails', async () => {
    const bad = entry();
    const batcher = createBatcher({
      write(entries) {
        if (entries.some((e) => e.report.id === bad.report.id)) throw Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_CHECK' });
        return new Set(entries.map((e) => e.report.id));
      },
      isReportError: (error) => error instanceof Error && 'code' in error,
      concurrency: 1,
      maxBatch: 100,
    });
    const outcomes = await Promise.allSettled([batcher.insert(entry()), batcher.insert(bad), batcher.insert(entry())]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('fails the whole batch on an error that is not one report\'s, and refuses reports beyond the queue bound', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createBatcher({
      async write() {
        await gate;
        throw new Error('connection refused');
      },
      isReportError: () => false,
      concurrency: 1,
      maxBatch: 2,
      maxPending: 3,
    });
    const first = batcher.insert(entry());
    const second = batcher.insert(entry());
    // The first batch has been taken off the queue: three more fit, the fourth is refused at once.
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [batcher.insert(entry()), batcher.insert(entry()), batcher.insert(entry())];
    await expect(batcher.insert(entry())).rejects.toBeInstanceOf(StoreUnavailableError);
    release();
    const outcomes = await Promise.allSettled([first, second, ...queued]);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    await batcher.drain();
  });
});
