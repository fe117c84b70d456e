// Which of our languages to show, its writing direction and the locale Intl formats with.
import type { Settings } from '../core/settings';

export const UI_LANGUAGES = ['en', 'ar', 'fr'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];
export type Direction = 'ltr' | 'rtl';

function primarySubtag(tag: string): string {
  return tag.split(/[-_]/)[0]?.toLowerCase() ?? '';
}

function isUiLanguage(tag: string): tag is UiLanguage {
  return (UI_LANGUAGES as readonly string[]).includes(tag);
}

/**
 * The language the UI shows. For "auto" this mirrors the browser's own choice of _locales folder
 * (exact or base language, else the default "en"), so strings and number formats agree.
 */
export function resolveLanguage(setting: Settings['language'], browserLanguage: string): UiLanguage {
  if (setting !== 'auto') return setting;
  const primary = primarySubtag(browserLanguage);
  return isUiLanguage(primary) ? primary : 'en';
}

export function directionOf(language: UiLanguage): Direction {
  switch (language) {
    case 'ar':
      return 'rtl';
    case 'en':
    case 'fr':
      return 'ltr';
    default: {
      const unreachable: never = language;
      return unreachable;
    }
  }
}

/**
 * The locale for Intl: the browser's full tag when it is a variant of the shown language, because
 * regional conventions matter (ar-MA writes Latin digits, ar-EG Arabic-Indic ones).
 */
export function intlLocaleFor(language: UiLanguage, browserLanguage: string): string {
  const tag = browserLanguage.replace('_', '-');
  if (primarySubtag(tag) !== language) return language;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? language;
  } catch {
    return language;
  }
}
