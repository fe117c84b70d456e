// The words of an app row: its verdict ("Probably works" when only guessed) and its one line of cause or evidence.
import type { AppVerdict } from '../core/report';
import type { I18n } from '../ui/i18n-create';
import type { MessageKey } from '../ui/message-format';
import { reasonKey, summaryKey, verdictKey } from '../ui/report-text';
import type { AppRow } from './app-rows';

/** A guessed verdict never reads as the plain "Works" of a tested one. */
export function verdictWords(verdict: AppVerdict['verdict'], guessed: boolean): MessageKey {
  if (!guessed || verdict === 'unknown') return verdictKey(verdict);
  return `verdict_probably_${verdict}`;
}

/** Its first cause, else what was seen. "Judged from general tests" is said by the guessed group instead. */
export function summaryLine(row: AppRow, verdict: AppVerdict, t: I18n['t']): string {
  const first = verdict.reasons.find((reason) => reason !== 'MEDIA_INFERRED');
  if (first !== undefined) return t(reasonKey(first));
  if (row.guessed) return t('summary_guessed');
  return t(summaryKey(verdict.verdict), row.name);
}
