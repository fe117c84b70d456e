// Resource Timing for probe requests: connection phases and protocol, which arrive some time after fetch resolves.
import type { HttpProbeResult } from '../core/report';
import { timingOf } from '../core/http-timing';

type Timing = NonNullable<HttpProbeResult['timing']>;

const entries = new Map<string, PerformanceResourceTiming>();
const waiters = new Map<string, (entry: PerformanceResourceTiming) => void>();
let observer: PerformanceObserver | null = null;

/** Entries are delivered asynchronously (hundreds of ms after fetch resolves, browser-behaviour.md §9), so they are observed, not polled. */
function observe(): void {
  if (observer || typeof PerformanceObserver === 'undefined') return;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
      const waiter = waiters.get(entry.name);
      if (waiter) waiter(entry);
      else entries.set(entry.name, entry);
    }
    // The buffer holds 250 entries by default; ours are consumed above, so keep it empty.
    performance.clearResourceTimings();
  });
  observer.observe({ type: 'resource', buffered: true });
}

/** Waits at most `maxWaitMs` for the entry of `url` (the probe's unique URL) and returns its phases. */
export function resourceTiming(url: string, maxWaitMs: number): Promise<Timing | undefined> {
  observe();
  const seen = entries.get(url);
  if (seen) {
    entries.delete(url);
    return Promise.resolve(timingOf(seen));
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(url);
      resolve(undefined);
    }, maxWaitMs);
    waiters.set(url, (entry) => {
      clearTimeout(timer);
      waiters.delete(url);
      resolve(timingOf(entry));
    });
  });
}
