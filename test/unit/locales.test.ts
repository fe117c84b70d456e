// The three locales: same keys, a message for every verdict, reason and advice code, and matching placeholders.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfidenceSchema } from '../../src/core/catalog';
import { ADVICE, IceEvidenceSchema, NatMappingSchema, REASONS, ReachabilitySchema, VerdictSchema } from '../../src/core/report';
import { parseLocaleMessages, placeholdersOf, type LocaleMessages } from '../../src/ui/message-format';
import {
  adviceKey,
  confidenceKey,
  evidenceKey,
  natKey,
  overallKey,
  reachKey,
  reasonKey,
  summaryKey,
  verdictKey,
} from '../../src/ui/report-text';

const LANGUAGES = ['en', 'ar', 'fr'] as const;

function load(language: string): { raw: Record<string, unknown>; messages: LocaleMessages } {
  const raw = JSON.parse(readFileSync(`public/_locales/${language}/messages.json`, 'utf8')) as Record<string, unknown>;
  return { raw, messages: parseLocaleMessages(raw) };
}

const locales = Object.fromEntries(LANGUAGES.map((language) => [language, load(language)]));
const english = locales.en?.messages ?? new Map<string, string>();

describe.each(LANGUAGES)('locale %s', (language) => {
  const locale = locales[language];
  if (locale === undefined) throw new Error(`no ${language} locale`);
  const { raw, messages } = locale;

  it('has exactly the English keys, each with a non-empty message', () => {
    expect(Object.keys(raw).sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of messages) expect(text.trim(), key).not.toBe('');
    expect(messages.size).toBe(Object.keys(raw).length);
  });

  it('uses the same $N placeholders as English in every message', () => {
    for (const [key, text] of english) {
      expect(placeholdersOf(messages.get(key) ?? ''), `${language}:${key}`).toEqual(placeholdersOf(text));
    }
  });

  it('says every verdict, reason, advice, confidence and reachability in words', () => {
    const keys = [
      ...VerdictSchema.options.flatMap((verdict) => [verdictKey(verdict), overallKey(verdict), summaryKey(verdict)]),
      ...REASONS.map(reasonKey),
      ...ADVICE.map(adviceKey),
      ...ConfidenceSchema.options.map(confidenceKey),
      ...ReachabilitySchema.options.map(reachKey),
      ...IceEvidenceSchema.options.map(evidenceKey),
      ...NatMappingSchema.options.map(natKey),
      'note_skype_retired',
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
