// The language override on the options page.
import type { Settings } from '../core/settings';
import { useI18n } from '../ui/i18n-context';
import { LanguageSelect } from '../ui/language-select';

export function LanguageSection({ language, onChange }: { language: Settings['language']; onChange(language: Settings['language']): void }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="language-heading">
      <h2 id="language-heading">{t('language_heading')}</h2>
      <label for="language" class="field">
        {t('language_label')}
      </label>
      <LanguageSelect id="language" language={language} onChange={onChange} />
    </section>
  );
}
