// The I18n every component uses: messages, plural forms and Intl formatters for one language, without any browser API.
import { createFormatters, type Formatters } from './intl-format';
import { directionOf, type Direction, type UiLanguage } from './language';
import type { MessageKey } from './message-format';
import { pluralKey, type PluralBase } from './plural';

export interface I18n {
  language: UiLanguage;
  dir: Direction;
  t(key: MessageKey, ...substitutions: (string | number)[]): string;
  /** The plural form of `base` that fits `count` in this language; substitutions as for t (format the count yourself). */
  plural(base: PluralBase, count: number, ...substitutions: string[]): string;
  /** For keys that come from data (a catalog's noteKey): undefined when there is no such message. */
  lookup(key: string): string | undefined;
  format: Formatters;
}

/** The I18n for a language, an Intl locale and a message lookup; apart from loadI18n so tests can feed it locale files. */
export function createI18n(
  language: UiLanguage,
  locale: string,
  lookupWith: (key: string, substitutions: string[]) => string | undefined,
): I18n {
  const rules = new Intl.PluralRules(locale);
  const has = (key: string): boolean => lookupWith(key, []) !== undefined;
  return {
    language,
    dir: directionOf(language),
    t: (key, ...substitutions) => lookupWith(key, substitutions.map(String)) ?? key,
    plural: (base, count, ...substitutions) => {
      const key = pluralKey(rules, base, count, has);
      return lookupWith(key, substitutions) ?? key;
    },
    lookup: (key) => lookupWith(key, []),
    format: createFormatters(locale),
  };
}
