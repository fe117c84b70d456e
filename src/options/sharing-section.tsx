// Result sharing: the switch (off by default), what is and is never sent in plain words, and the exact payload.
import { useEffect, useState } from 'preact/hooks';
import type { Report } from '../core/report';
import { ask } from '../ui/ask';
import { lastFinishedInHistory } from '../ui/last-finished';
import { newestFinished } from '../ui/report-merge';
import { useI18n } from '../ui/i18n-context';
import { previewSharedPayload } from './share-preview';

/** The newest finished check: getState's if it is finished, else the history's (also when getState could not be read). */
async function lastFinished(): Promise<Report | null> {
  const state = await ask({ type: 'getState' });
  const candidates: unknown[] = state.ok && state.value.report !== null ? [state.value.report] : [];
  if (!state.ok || state.value.running) {
    const fromHistory = await lastFinishedInHistory();
    if (fromHistory !== null) candidates.push(fromHistory);
  }
  return newestFinished(candidates);
}

function Preview() {
  const { t } = useI18n();
  const [report, setReport] = useState<Report | null | 'loading'>('loading');
  useEffect(() => {
    let live = true;
    // The last finished check: a running check's partial report would preview a partial payload.
    void lastFinished().then((found) => {
      if (live) setReport(found);
    });
    return () => {
      live = false;
    };
  }, []);
  if (report === 'loading') return null;
  if (report === null) return <p class="muted">{t('share_preview_none')}</p>;
  const preview = previewSharedPayload(report);
  if (!preview.ok) return <p class="error">{t('share_preview_error', preview.error)}</p>;
  return (
    <>
      <pre class="payload" dir="ltr" tabIndex={0} aria-labelledby="preview-heading">
        {preview.json}
      </pre>
      <p class="muted small">{t('share_preview_id_note')}</p>
    </>
  );
}

export function SharingSection({ enabled, onChange }: { enabled: boolean; onChange(enabled: boolean): void }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="share-heading">
      <h2 id="share-heading">{t('share_heading')}</h2>
      <p>{t('share_intro')}</p>
      <label class="toggle">
        <input type="checkbox" checked={enabled} onChange={(event) => onChange(event.currentTarget.checked)} />
        <span>{t('share_toggle')}</span>
      </label>
      <div class="consent">
        <div>
          <h3>{t('share_sent_heading')}</h3>
          <ul>
            <li>{t('share_sent_verdicts')}</li>
            <li>{t('share_sent_probes')}</li>
            <li>{t('share_sent_nat')}</li>
            <li>{t('share_sent_browser')}</li>
            <li>{t('share_sent_versions')}</li>
            <li>{t('share_sent_time')}</li>
            <li>{t('share_sent_evidence')}</li>
          </ul>
          <p>{t('share_derived')}</p>
        </div>
        <div>
          <h3>{t('share_never_heading')}</h3>
          <ul>
            <li>{t('share_never_ip')}</li>
            <li>{t('share_never_candidates')}</li>
            <li>{t('share_never_time')}</li>
            <li>{t('share_never_id')}</li>
          </ul>
        </div>
      </div>
      <p>{t('share_isp')}</p>
      <p>
        <strong>{t('share_not_privacy')}</strong>
      </p>
      <h3 id="preview-heading">{t('share_preview_heading')}</h3>
      <Preview />
    </section>
  );
}
