// Past checks kept on this device: when each ran, on what kind of link where the browser says, the name the person gave the network, and its overall answer, each one openable.
import { useEffect, useState } from 'preact/hooks';
import { parseReport, type Report } from '../core/report';
import { ask } from '../ui/ask';
import { useI18n } from '../ui/i18n-context';
import { verdictChanges } from '../core/history-diff';
import { headlineOf } from '../core/headline';
import { headlineText, toneOf } from '../ui/headline-text';
import { verdictKey } from '../ui/report-text';
import { VerdictIcon } from '../ui/verdict-icon';
import { isolate } from '../ui/bidi';

type Loaded = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; reports: Report[] };

/** Newest first; reports this version cannot read are left out rather than shown broken. */
function readable(reports: readonly unknown[]): Report[] {
  return reports
    .flatMap((data) => {
      const parsed = parseReport(data);
      return parsed.ok ? [parsed.report] : [];
    })
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

export function HistoryView({ onShow, pinned, nameOf }: { onShow(report: Report): void; pinned: readonly string[]; nameOf(appId: string): string }) {
  const i18n = useI18n();
  const { t, format } = i18n;
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    void ask({ type: 'getHistory' }).then((answer) => {
      if (!live) return;
      setLoaded(answer.ok ? { kind: 'ready', reports: readable(answer.value.reports) } : { kind: 'error', message: answer.error });
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <section class="history" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history_heading')}</h2>
      <p class="muted">{t('history_local_only')}</p>
      {loaded.kind === 'error' && (
        <p role="alert" class="error">
          {t('history_error', loaded.message)}
        </p>
      )}
      {loaded.kind === 'ready' && loaded.reports.length === 0 && <p>{t('history_empty')}</p>}
      {loaded.kind === 'ready' && loaded.reports.length > 0 && (
        <ul class="history__list">
          {loaded.reports.map((report, index) => {
            // Each check says its headline for today's pinned apps, and what differs from the check before it.
            const headline = headlineOf(report.apps, report.overall, pinned);
            const before = loaded.reports[index + 1];
            const changes = before === undefined ? [] : verdictChanges(before, report);
            const when = format.dateTime(report.startedAt);
            return (
              <li key={report.id} class="history__item">
                <VerdictIcon verdict={toneOf(headline.kind)} size={18} />
                <span class="history__text">
                  <span>
                    <time dateTime={report.startedAt}>{when}</time>
                    {report.connection !== undefined && <span class="muted"> · {t(`connection_${report.connection.type}_link`)}</span>}
                    {report.networkLabel !== undefined && (
                      <>
                        <span class="muted"> · </span>
                        <span class="history__network">{t('history_network_name', isolate(report.networkLabel))}</span>
                      </>
                    )}
                  </span>
                  <span>{headlineText(headline, nameOf, i18n).title}</span>
                  {changes.length > 0 && (
                    <span class="muted small">
                      {t('history_changes', format.list(changes.map((c) => t('history_change', nameOf(c.appId), t(verdictKey(c.from)), t(verdictKey(c.to))))))}
                    </span>
                  )}
                </span>
                <button type="button" class="button button--small" aria-label={t('history_show_label', when)} onClick={() => onShow(report)}>
                  {t('history_show')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
