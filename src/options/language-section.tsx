// The language override: the browser's language, or English, Arabic or French.
import { LANGUAGES, type Settings } from '../core/settings';
import { useI18n } from '../ui/i18n-context';
import type { MessageKey } from '../ui/message-format';

const LABELS: Record<Settings['language'], MessageKey> = {
  auto: 'language_auto',
  en: 'language_en',
  ar: 'language_ar',
  fr: 'language_fr',
};

function isLanguage(value: string): value is Settings['language'] {
  return (LANGUAGES as readonly string[]).includes(value);
}

export function LanguageSection({ language, onChange }: { language: Settings['language']; onChange(language: Settings['language']): void }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="language-heading">
      <h2 id="language-heading">{t('language_heading')}</h2>
      <label for="language" class="field">
        {t('language_label')}
      </label>
      <select
        id="language"
        value={language}
        onChange={(event) => {
          const value = event.currentTarget.value;
          if (isLanguage(value)) onChange(value);
        }}
      >
        {LANGUAGES.map((code) => (
          // Language names are written in their own language, so each reader finds theirs.
          <option key={code} value={code} lang={code === 'auto' ? undefined : code}>
            {t(LABELS[code])}
          </option>
        ))}
      </select>
    </section>
  );
}
