// "Copy summary": a short text in the person's language (the headline, each app's verdict, the time), with no address of any kind.
import { callQualityOf } from '../core/call-quality';
import { headlineOf } from '../core/headline';
import type { Report } from '../core/report';
import { headlineText } from '../ui/headline-text';
import type { I18n } from '../ui/i18n-create';
import { qualityKey } from '../ui/report-text';
import type { AppRow } from './app-rows';
import { summaryLine, verdictWords } from './row-text';

/*
 * Built only from verdicts, reason codes and the quality bands, never from observations: those
 * hold the addresses the browser connected to, which must not leave the device through a paste.
 */
export function summaryText(report: Report, rows: readonly AppRow[], pinned: readonly string[], nameOf: (appId: string) => string, i18n: I18n): string {
  const { t, format } = i18n;
  const headline = headlineText(headlineOf(report.apps, report.overall, pinned), nameOf, i18n);
  const lines = [t('summary_title', format.dateTime(report.finishedAt ?? report.startedAt)), headline.title, ...headline.lines];
  if (report.quality !== undefined) {
    const { voice, video } = callQualityOf(report.quality);
    lines.push(`${t('quality_voice', t(qualityKey(voice)))} · ${t('quality_video', t(qualityKey(video)))}`);
  }
  lines.push('');
  for (const row of rows) {
    if (row.state.kind !== 'result') continue;
    const { verdict } = row.state;
    lines.push(t('summary_app_line', row.name, t(verdictWords(verdict.verdict, row.guessed)), summaryLine(row, verdict, t)));
  }
  return lines.join('\n');
}
