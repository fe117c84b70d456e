// Where reports live on the device: the current check (running or last) and a bounded history, validated on the way in and out.
import browser from 'webextension-polyfill';
import { STORAGE_KEYS } from '../core/messages';
import { parseReport, type Report } from '../core/report';

/** Enough to see a pattern over days of checks, small enough for storage.local. */
export const HISTORY_LIMIT = 50;

export async function saveCurrent(report: Report): Promise<void> {
  await browser.storage.local.set({ [STORAGE_KEYS.current]: report });
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
export async function saveFinished(report: Report): Promise<void> {
  const history = (await loadHistory()).filter((r) => r.id !== report.id);
  await browser.storage.local.set({
    [STORAGE_KEYS.current]: report,
    [STORAGE_KEYS.history]: [report, ...history].slice(0, HISTORY_LIMIT),
  });
}

export async function clearHistory(): Promise<void> {
  await browser.storage.local.remove([STORAGE_KEYS.history, STORAGE_KEYS.current]);
}
