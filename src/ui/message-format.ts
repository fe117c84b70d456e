// Locale message lookup without the browser: message keys as a type, $1..$9 substitution, and parsing a fetched messages.json.
import type englishMessages from '../../public/_locales/en/messages.json';

/** Every message key, taken from the English file so a missing or misspelt key is a compile error. */
export type MessageKey = keyof typeof englishMessages & string;

/** A messages.json reduced to key → message text. */
export type LocaleMessages = ReadonlyMap<string, string>;

/**
 * Replaces $1..$9 with substitutions and $$ with $, as browser.i18n.getMessage does, so a
 * message reads the same whether it came from the browser or from a fetched locale file.
 */
export function formatMessage(template: string, substitutions: readonly string[]): string {
  return template.replace(/\$(\$|[1-9])/g, (whole, which: string) => {
    if (which === '$') return '$';
    return substitutions[Number(which) - 1] ?? '';
  });
}

/** The $N placeholders a message uses, sorted, for checking that translations agree. */
export function placeholdersOf(template: string): number[] {
  const found = new Set<number>();
  for (const match of template.matchAll(/\$(\$|[1-9])/g)) {
    if (match[1] !== '$') found.add(Number(match[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Reads untrusted messages.json data; entries without a string `message` are skipped. */
export function parseLocaleMessages(data: unknown): LocaleMessages {
  const messages = new Map<string, string>();
  if (typeof data !== 'object' || data === null) return messages;
  for (const [key, entry] of Object.entries(data)) {
    if (typeof entry === 'object' && entry !== null && 'message' in entry && typeof entry.message === 'string') {
      messages.set(key, entry.message);
    }
  }
  return messages;
}
