// Opt-in result sharing: anonymise finished reports, queue them in storage, send them to the collector, retry with alarms.
import browser from 'webextension-polyfill';
import { anonymise } from '../core/anonymise';
import { parseCrowdStats, type CrowdStats } from '../core/crowd';
import { STORAGE_KEYS } from '../core/messages';
import type { Report } from '../core/report';
import { parseSettings, type Settings } from '../core/settings';
import { enqueue, nextDue, outcomeOf, parseQueue, retryDelayMs, type QueueItem } from '../core/share-queue';

export const RETRY_ALARM = 'share-retry';
const SEND_TIMEOUT_MS = 10_000;

async function loadSettings(): Promise<Settings> {
  return parseSettings((await browser.storage.local.get(STORAGE_KEYS.settings))[STORAGE_KEYS.settings]);
}

async function loadQueue(): Promise<QueueItem[]> {
  return parseQueue((await browser.storage.local.get(STORAGE_KEYS.shareQueue))[STORAGE_KEYS.shareQueue]);
}

async function saveQueue(queue: QueueItem[]): Promise<void> {
  await browser.storage.local.set({ [STORAGE_KEYS.shareQueue]: queue });
  const due = nextDue(queue);
  if (due === undefined) await browser.alarms.clear(RETRY_ALARM);
  else await browser.alarms.create(RETRY_ALARM, { when: Math.max(due, Date.now() + 1000) });
}

/** Queues a finished report if, and only if, the user opted in; then tries to send. */
export async function shareIfOptedIn(report: Report): Promise<void> {
  if (report.status !== 'done') return;
  const settings = await loadSettings();
  if (!settings.shareResults) return;
  // A fresh random id per upload: idempotency at the collector, never linkable to the local report.
  const shared = anonymise(report, { id: crypto.randomUUID() });
  await saveQueue(enqueue(await loadQueue(), shared, Date.now()));
  await flushQueue();
}

async function send(collectorUrl: string, item: QueueItem): Promise<number | undefined> {
  try {
    const response = await fetch(new URL('/v1/reports', collectorUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(item.report),
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    return response.status;
  } catch {
    return undefined;
  }
}

let flushing: Promise<void> | null = null;

/** Sends every due item once; one flush at a time, so nothing is sent twice by this worker. */
export function flushQueue(): Promise<void> {
  flushing ??= (async () => {
    const settings = await loadSettings();
    if (!settings.shareResults) return;
    const now = Date.now();
    const results = new Map<string, 'delivered' | 'rejected' | 'retry'>();
    for (const item of await loadQueue()) {
      if (item.notBefore > now) continue;
      results.set(item.report.id, outcomeOf(await send(settings.collectorUrl, item)));
    }
    // Re-read: a report may have been queued while we were sending.
    const queue = (await loadQueue()).flatMap((item): QueueItem[] => {
      const outcome = results.get(item.report.id);
      if (outcome === 'delivered') return [];
      if (outcome === 'rejected') {
        console.warn(`the collector refused shared report ${item.report.id}; dropped`);
        return [];
      }
      if (outcome === 'retry') {
        const attempts = item.attempts + 1;
        return [{ ...item, attempts, notBefore: Date.now() + retryDelayMs(attempts) }];
      }
      return [item];
    });
    await saveQueue(queue);
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** Opting out means nothing more leaves the device: what is still queued is deleted. */
export async function onSettingsChanged(settings: Settings): Promise<void> {
  if (!settings.shareResults) await saveQueue([]);
  else await flushQueue();
}

/**
 * The collector's counts for the caller's own network over the last week. Only for users who opted in: asking
 * tells the collector that this address runs the extension, which is part of what sharing means.
 */
export async function crowdStats(): Promise<CrowdStats | null> {
  const settings = await loadSettings();
  if (!settings.shareResults) return null;
  const url = new URL('/v1/stats', settings.collectorUrl);
  url.searchParams.set('network', 'mine');
  url.searchParams.set('days', '7');
  const response = await fetch(url, { credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`the collector answered HTTP ${response.status}`);
  const stats = parseCrowdStats(await response.json());
  if (!stats) throw new Error('the collector sent statistics in an unexpected shape');
  return stats;
}
