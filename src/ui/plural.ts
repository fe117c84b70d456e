// Picks the plural form of a message for a count with Intl.PluralRules: `<base>_<category>` keys, `<base>_other` always present.
import type { MessageKey } from './message-format';

/** Every message that has plural forms: the base of each `<base>_other` key. */
export type PluralBase = MessageKey extends infer K ? (K extends `${infer B}_other` ? B : never) : never;

/**
 * The key for `count` in `locale`: Arabic has six categories (zero, one, two, few, many, other),
 * French counts 0 as "one" ("0 application vérifiée"), English has two. A locale file only carries
 * the categories its language uses (test/unit/locales.test.ts), so a missing one falls back to other.
 */
export function pluralKey(rules: Intl.PluralRules, base: PluralBase, count: number, has: (key: string) => boolean): string {
  const key = `${base}_${rules.select(count)}`;
  return has(key) ? key : `${base}_other`;
}
