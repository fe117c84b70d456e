// Raw codes and internal messages, folded under "Technical details" so the main view speaks plain words.
import { useI18n } from '../ui/i18n-context';

export function TechnicalDetails({ text }: { text: string }) {
  const { t } = useI18n();
  return (
    <details class="technical">
      <summary>{t('technical_details')}</summary>
      <code dir="ltr">{text}</code>
    </details>
  );
}
