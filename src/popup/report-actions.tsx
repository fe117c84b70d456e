// Sharing the shown report: a plain summary to paste anywhere, or the JSON (file or clipboard) for experts, with a warning that it holds addresses.
import { useState } from 'preact/hooks';
import type { Report } from '../core/report';
import { errorText } from '../core/error-text';
import { useI18n } from '../ui/i18n-context';
import type { MessageKey } from '../ui/message-format';
import { copyReport, downloadReport } from './report-download';

type Status = { key: MessageKey; detail?: string } | null;

export function ReportActions({ report, summary }: { report: Report; summary: () => string }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<Status>(null);
  const save = (): void => {
    downloadReport(report);
    setStatus({ key: 'export_saved' });
  };
  const copy = async (): Promise<void> => {
    try {
      await copyReport(report);
      setStatus({ key: 'export_copied' });
    } catch (error) {
      setStatus({ key: 'export_copy_failed', detail: errorText(error) });
    }
  };
  const copySummary = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(summary());
      setStatus({ key: 'export_summary_copied' });
    } catch (error) {
      setStatus({ key: 'export_copy_failed', detail: errorText(error) });
    }
  };
  return (
    <div class="actions">
      <div class="actions__buttons">
        <button type="button" class="button button--primary" onClick={() => void copySummary()}>
          {t('export_copy_summary')}
        </button>
        <button type="button" class="button" onClick={save}>
          {t('export_save')}
        </button>
        <button type="button" class="button" onClick={() => void copy()}>
          {t('export_copy')}
        </button>
      </div>
      <p class="muted small">{t('export_note')}</p>
      <p role="status" class="small">
        {status === null ? '' : t(status.key, status.detail ?? '')}
      </p>
    </div>
  );
}
