// Clearing the check history kept on this device.
import { useState } from 'preact/hooks';
import { ask } from '../ui/ask';
import { useI18n } from '../ui/i18n-context';

type Outcome = { ok: true } | { ok: false; error: string } | null;

export function HistorySection() {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const clear = async (): Promise<void> => {
    const answer = await ask({ type: 'clearHistory' });
    setOutcome(answer.ok ? { ok: true } : { ok: false, error: answer.error });
  };
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history_clear_heading')}</h2>
      <p>{t('history_clear_help')}</p>
      <button type="button" class="button" onClick={() => void clear()}>
        {t('history_clear')}
      </button>
      <p role="status" class={outcome !== null && !outcome.ok ? 'error' : ''}>
        {outcome === null ? '' : outcome.ok ? t('history_cleared') : t('history_clear_error', outcome.error)}
      </p>
    </section>
  );
}
