// The toolbar badge: shows a finished check's overall answer, so a check that outlived its popup still reaches the user.
import browser from 'webextension-polyfill';
import type { Report, Verdict } from '../core/report';

const BADGE: Record<Verdict, { text: string; color: string }> = {
  works: { text: '✓', color: '#15803d' },
  degraded: { text: '!', color: '#b45309' },
  blocked: { text: '✕', color: '#b91c1c' },
  unknown: { text: '?', color: '#4b5563' },
};

export async function showOnBadge(report: Report): Promise<void> {
  if (report.status === 'running') {
    await browser.action.setBadgeText({ text: '…' });
    await browser.action.setBadgeBackgroundColor({ color: '#2563eb' });
    return;
  }
  const verdict = report.overall?.verdict ?? 'unknown';
  const { text, color } = BADGE[verdict];
  await browser.action.setBadgeText({ text });
  await browser.action.setBadgeBackgroundColor({ color });
  await browser.action.setTitle({ title: `${browser.i18n.getMessage('appName')} — ${browser.i18n.getMessage(`verdict_${verdict}`) || verdict}` });
}
