// The call-test relay consent: what the relay is for, that it sees the person's address, and the switch (off by default).
import { useI18n } from '../ui/i18n-context';

export function RelaySection({ enabled, onChange }: { enabled: boolean; onChange(enabled: boolean): void }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="relay-heading">
      <h2 id="relay-heading">{t('relay_heading')}</h2>
      <p>{t('relay_intro')}</p>
      <p>
        <strong>{t('relay_sees_address')}</strong>
      </p>
      <label class="toggle">
        <input type="checkbox" checked={enabled} onChange={(event) => onChange(event.currentTarget.checked)} />
        <span>{t('relay_toggle')}</span>
      </label>
      <p class="muted">{t('relay_off')}</p>
    </section>
  );
}
