// Where reports live on the device: the current check (running or last) and a bounded history, validated on the way in and out.
import browser from 'webextension-polyfill';
import { STORAGE_KEYS } from '../core/messages';
import { relabel } from '../core/network-label-history';
import { parseReport, type Report } from '../core/report';

/** Enough to see a pattern over days of checks, small enough for storage.local. */
export const HISTORY_LIMIT = 50;

/**
 * Writes one after another: each is a read and a write of storage, and a name given while a check saves its progress
 * or its end must neither be lost nor bring back an older copy.
 */
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(write: () => Promise<T>): Promise<T> {
  const next = queue.then(write);
  queue = next.catch(() => undefined);
  return next;
}

export function saveCurrent(report: Report): Promise<void> {
  return serially(() => browser.storage.local.set({ [STORAGE_KEYS.current]: report }));
}

/** The stored current report, or null when there is none or it does not validate (never thrown at the caller). */
export async function loadCurrent(): Promise<Report | null> {
  const stored = await browser.storage.local.get(STORAGE_KEYS.current);
  const data: unknown = stored[STORAGE_KEYS.current];
  if (data === undefined) return null;
  const parsed = parseReport(data);
  if (!parsed.ok) {
    console.warn(`ignoring the stored report: ${parsed.error}`);
    return null;
  }
  return parsed.report;
}

export async function loadHistory(): Promise<Report[]> {
  const stored = await browser.storage.local.get(STORAGE_KEYS.history);
  const data: unknown = stored[STORAGE_KEYS.history];
  if (!Array.isArray(data)) return [];
  return data.flatMap((item: unknown) => {
    const parsed = parseReport(item);
    return parsed.ok ? [parsed.report] : [];
  });
}

/** Saves a finished report as current and puts it at the head of the history (replacing an entry with the same id). */
export function saveFinished(report: Report): Promise<void> {
  return serially(async () => {
    const history = (await loadHistory()).filter((r) => r.id !== report.id);
    await browser.storage.local.set({
      [STORAGE_KEYS.current]: report,
      [STORAGE_KEYS.history]: [report, ...history].slice(0, HISTORY_LIMIT),
    });
  });
}

/** Names the network of a stored finished check (an empty name removes it); an invalid name throws and writes nothing. */
export function setNetworkLabel(reportId: unknown, label: unknown): Promise<Report> {
  return serially(async () => {
    if (typeof reportId !== 'string' || typeof label !== 'string') throw new Error('setNetworkLabel needs a reportId and a label, both text');
    const change = relabel({ current: await loadCurrent(), history: await loadHistory() }, reportId, label);
    if (!change.ok) throw new Error(change.error);
    // The renamed copy is validated like every stored report before it replaces the old one.
    const parsed = parseReport(change.report);
    if (!parsed.ok) throw new Error(parsed.error);
    await browser.storage.local.set({
      [STORAGE_KEYS.history]: change.stored.history,
      ...(change.stored.current?.id === reportId ? { [STORAGE_KEYS.current]: change.stored.current } : {}),
    });
    return parsed.report;
  });
}

/** Forgets every check, and when and through which relay server the person ran full call tests (call-test-spacing.ts). */
export function clearHistory(): Promise<void> {
  return serially(() => browser.storage.local.remove([STORAGE_KEYS.history, STORAGE_KEYS.current, STORAGE_KEYS.callTestSpacing]));
}
