// Loads the UI language: the browser's own messages for "auto", the chosen _locales file for an override.
import { browser } from './extension-api';
import type { Settings } from '../core/settings';
import { createI18n, type I18n } from './i18n-create';
import { intlLocaleFor, resolveLanguage, type UiLanguage } from './language';
import { formatMessage, parseLocaleMessages, type LocaleMessages, type MessageKey } from './message-format';

export type { I18n } from './i18n-create';


/** getMessage answers "" for an unknown key; that must not render as an empty label. */
function fromBrowser(key: string, substitutions: string[]): string | undefined {
  const text = browser.i18n.getMessage(key, substitutions);
  return text === '' ? undefined : text;
}

async function fetchMessages(language: UiLanguage): Promise<LocaleMessages> {
  const response = await fetch(browser.runtime.getURL(`_locales/${language}/messages.json`));
  if (!response.ok) throw new Error(`could not load the ${language} messages (HTTP ${response.status})`);
  return parseLocaleMessages(await response.json());
}

export async function loadI18n(setting: Settings['language']): Promise<I18n> {
  const browserLanguage = browser.i18n.getUILanguage();
  let messages: LocaleMessages | null = null;
  if (setting !== 'auto') {
    try {
      messages = await fetchMessages(resolveLanguage(setting, browserLanguage));
    } catch (error) {
      // The browser's own language still gives a working UI; the override simply does not apply.
      console.warn('language override unavailable:', error);
    }
  }
  const language = resolveLanguage(messages === null ? 'auto' : setting, browserLanguage);
  const lookupWith = (key: string, substitutions: string[]): string | undefined => {
    const own = messages?.get(key);
    return own === undefined ? fromBrowser(key, substitutions) : formatMessage(own, substitutions);
  };
  return createI18n(language, intlLocaleFor(language, browserLanguage), lookupWith);
}

/** Sets lang and dir on <html> so the layout mirrors for Arabic and screen readers pick the right voice. */
export function applyToDocument(i18n: I18n, titleKey: MessageKey): void {
  document.documentElement.lang = i18n.language;
  document.documentElement.dir = i18n.dir;
  document.title = i18n.t(titleKey);
}
