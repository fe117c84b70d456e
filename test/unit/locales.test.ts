// The three locales: same keys, a message for every verdict, reason and advice code, and matching placeholders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfidenceSchema } from '../../src/core/catalog';
import { ConnectionTypeSchema } from '../../src/core/connection-type';
import { ADVICE, REASONS } from '../../src/core/reasons';
import { IceEvidenceSchema, NatMappingSchema, ReachabilitySchema, VerdictSchema } from '../../src/core/report';
import { parseLocaleMessages, placeholdersOf, type LocaleMessages } from '../../src/ui/message-format';
import {
  adviceKey,
  confidenceKey,
  evidenceKey,
  natKey,
  reachKey,
  reasonKey,
  summaryKey,
  verdictKey,
} from '../../src/ui/report-text';

const LANGUAGES = ['en', 'ar', 'fr'] as const;
const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];

/** `popup_progress_few` → `popup_progress`, for keys whose base has an English `_other` form. */
function pluralBaseOf(key: string): string | undefined {
  const cut = key.lastIndexOf('_');
  const base = key.slice(0, cut);
  return cut > 0 && PLURAL_CATEGORIES.includes(key.slice(cut + 1)) && english.has(`${base}_other`) ? base : undefined;
}

function load(language: string): { raw: Record<string, unknown>; messages: LocaleMessages } {
  const raw = JSON.parse(readFileSync(`public/_locales/${language}/messages.json`, 'utf8')) as Record<string, unknown>;
  return { raw, messages: parseLocaleMessages(raw) };
}

const locales = Object.fromEntries(LANGUAGES.map((language) => [language, load(language)]));
const english = locales.en?.messages ?? new Map<string, string>();
const PLURAL_BASES = [...english.keys()].filter((key) => key.endsWith('_other')).map((key) => key.slice(0, -'_other'.length));

describe.each(LANGUAGES)('locale %s', (language) => {
  const locale = locales[language];
  if (locale === undefined) throw new Error(`no ${language} locale`);
  const { raw, messages } = locale;

  it('has exactly the English keys, plural forms aside, each with a non-empty message', () => {
    const plain = (keys: Iterable<string>) => [...keys].filter((key) => pluralBaseOf(key) === undefined).sort();
    expect(plain(Object.keys(raw))).toEqual(plain(english.keys()));
    for (const [key, text] of messages) expect(text.trim(), key).not.toBe('');
    expect(messages.size).toBe(Object.keys(raw).length);
  });

  it('has exactly the plural forms its language uses (Intl.PluralRules) for every plural message', () => {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const base of PLURAL_BASES) {
      const forms = [...messages.keys()].filter((key) => pluralBaseOf(key) === base).map((key) => key.slice(base.length + 1));
      expect(forms.sort(), `${language}:${base}`).toEqual([...categories].sort());
    }
    for (const key of messages.keys()) {
      const base = pluralBaseOf(key);
      if (base !== undefined) expect(PLURAL_BASES, key).toContain(base);
    }
  });

  it('uses the same $N placeholders as English in every message', () => {
    for (const [key, text] of english) {
      if (pluralBaseOf(key) === undefined) expect(placeholdersOf(messages.get(key) ?? ''), `${language}:${key}`).toEqual(placeholdersOf(text));
    }
  });

  it('uses in each plural form only placeholders of the English "other" form, and all of them in "other"', () => {
    for (const [key, text] of messages) {
      const base = pluralBaseOf(key);
      if (base === undefined) continue;
      const reference = placeholdersOf(english.get(`${base}_other`) ?? '');
      const used = placeholdersOf(text);
      // "un autre" or Arabic's dual need not repeat the number; a placeholder English lacks would show as nothing.
      for (const n of used) expect(reference, `${language}:${key} uses $${n}`).toContain(n);
      if (key.endsWith('_other')) expect(used, `${language}:${key}`).toEqual(reference);
    }
  });

  it('says every verdict, reason, advice, confidence and reachability in words', () => {
    const keys = [
      // overall_*: the all-apps vote, which `npm start` prints after the headline.
      ...VerdictSchema.options.flatMap((verdict) => [verdictKey(verdict), `overall_${verdict}`, summaryKey(verdict)]),
      ...REASONS.map(reasonKey),
      ...ADVICE.map(adviceKey),
      ...ConfidenceSchema.options.map(confidenceKey),
      ...ReachabilitySchema.options.map(reachKey),
      ...IceEvidenceSchema.options.map(evidenceKey),
      ...NatMappingSchema.options.map(natKey),
      'note_skype_retired',
      ...ConnectionTypeSchema.options.map((type) => `connection_${type}_link`),
    ];
    for (const key of keys) expect(messages.has(key), `${language} lacks ${key}`).toBe(true);
  });

  it('keeps the manifest messages', () => {
    for (const key of ['appName', 'appDescription', 'actionTitle']) expect(messages.has(key), key).toBe(true);
  });

  it('uses only key names the browser accepts (ASCII letters, digits, underscore)', () => {
    for (const key of messages.keys()) expect(key).toMatch(/^[A-Za-z0-9_]+$/);
  });
});

it('has no reason_ or advice_ message for a code the table no longer holds', () => {
  const codes = new Set<string>([...REASONS.map(reasonKey), ...ADVICE.map(adviceKey)]);
  for (const language of LANGUAGES) {
    const stale = [...(locales[language]?.messages.keys() ?? [])].filter((key) => /^(reason|advice)_/.test(key) && !codes.has(key));
    expect(stale, language).toEqual([]);
  }
});

it('gives every REASON a different sentence, so two causes never read the same', () => {
  const sentences = REASONS.map((reason) => english.get(reasonKey(reason)));
  expect(new Set(sentences).size).toBe(REASONS.length);
});

it('has a note for every noteKey the bundled catalog uses', () => {
  const catalog = JSON.parse(readFileSync('src/core/catalog.json', 'utf8')) as { apps: { noteKey?: string }[] };
  for (const app of catalog.apps) {
    if (app.noteKey !== undefined) for (const language of LANGUAGES) expect(locales[language]?.messages.has(app.noteKey)).toBe(true);
  }
});
