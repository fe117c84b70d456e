// The language picker: the browser's language, or English, Arabic or French, each name written in its own language.
import { LANGUAGES, type Settings } from '../core/settings';
import { useI18n } from './i18n-context';
import type { MessageKey } from './message-format';

const LABELS: Record<Settings['language'], MessageKey> = {
  auto: 'language_auto',
  en: 'language_en',
  ar: 'language_ar',
  fr: 'language_fr',
};

function isLanguage(value: string): value is Settings['language'] {
  return (LANGUAGES as readonly string[]).includes(value);
}

export function LanguageSelect({ id, language, onChange, class: className }: {
  id: string;
  language: Settings['language'];
  onChange(language: Settings['language']): void;
  class?: string;
}) {
  const { t } = useI18n();
  return (
    <select
      id={id}
      class={className}
      value={language}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (isLanguage(value)) onChange(value);
      }}
    >
      {LANGUAGES.map((code) => (
        <option key={code} value={code} lang={code === 'auto' ? undefined : code}>
          {t(LABELS[code])}
        </option>
      ))}
    </select>
  );
}
