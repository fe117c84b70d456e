// The headline said in en/ar/fr: app names listed with the locale's conjunction, verbs agreeing with the count.
import { describe, expect, it } from 'vitest';
import { headlineOf } from '../../src/core/headline';
import type { AppVerdict } from '../../src/core/report';
import { headlineText } from '../../src/ui/headline-text';
import { appVerdict } from './fixtures/sample-report';
import { localeI18n } from './fixtures/locale-i18n';

const NAMES: Record<string, string> = { whatsapp: 'WhatsApp', signal: 'Signal', telegram: 'Telegram', viber: 'Viber', messenger: 'Messenger' };
const name = (id: string) => NAMES[id] ?? id;
const blocked = (id: string) => appVerdict(id, { verdict: 'blocked', calls: 'blocked', reasons: ['RELAY_UNREACHABLE'] });
const say = (apps: AppVerdict[], pinned: string[], language: 'en' | 'ar' | 'fr' = 'en', locale?: string) =>
  headlineText(headlineOf(apps, undefined, pinned), name, localeI18n(language, locale));

describe('headlineText', () => {
  it('says the issue\'s sentence: the blocked pinned app, then the apps that work', () => {
    const apps = [blocked('whatsapp'), appVerdict('signal'), appVerdict('telegram')];
    expect(say(apps, ['whatsapp']).title).toBe('WhatsApp calls are blocked on this network — Signal and Telegram work');
    expect(say([blocked('whatsapp'), appVerdict('signal')], ['whatsapp']).title).toBe('WhatsApp calls are blocked on this network — Signal works');
  });

  it('agrees the verb with the count in French', () => {
    expect(say([blocked('whatsapp'), appVerdict('signal')], ['whatsapp'], 'fr').title).toBe('Les appels WhatsApp sont bloqués sur ce réseau — Signal fonctionne');
    expect(say([blocked('whatsapp'), appVerdict('signal'), appVerdict('telegram')], ['whatsapp'], 'fr').title).toContain('Signal et Telegram fonctionnent');
  });

  it('says Arabic with «على هذه الشبكة» and the Arabic conjunction', () => {
    const { title } = say([blocked('whatsapp'), appVerdict('signal'), appVerdict('telegram')], ['whatsapp'], 'ar');
    expect(title).toContain('على هذه الشبكة');
    expect(title).toContain('Signal وTelegram');
  });

  it('names the pinned apps that work, and blocks elsewhere on a line of their own', () => {
    const text = say([appVerdict('whatsapp'), appVerdict('viber'), blocked('messenger')], ['whatsapp', 'viber']);
    expect(text.title).toBe('Calls should work on WhatsApp and Viber');
    expect(text.lines).toEqual(['Also blocked on this network: Messenger']);
  });

  it('says a plain yes only when every app was judged and works', () => {
    expect(say([appVerdict('whatsapp'), appVerdict('signal')], []).title).toBe('Yes, calls should work on every app checked');
    const guesses = [appVerdict('viber', { reasons: ['MEDIA_INFERRED'] })];
    expect(say(guesses, []).title).toBe('Calls should probably work on Viber — not tested directly');
  });

  it('says "works, but may sound poor" for a pinned app degraded by quality', () => {
    const apps = [appVerdict('whatsapp', { verdict: 'degraded', reasons: ['HIGH_LATENCY'] }), appVerdict('signal')];
    expect(say(apps, ['whatsapp']).title).toBe('WhatsApp works, but calls may sound poor');
  });

  it('shortens a long list with a counted "other apps", in the locale digits', () => {
    const apps = Array.from({ length: 16 }, (_, i) => blocked(`app${i + 1}`));
    expect(say(apps, []).title).toBe('app1, app2, app3, and 13 other apps calls are blocked on this network');
    expect(say(apps, [], 'ar', 'ar-EG').title).toContain('١٣ تطبيقًا آخر');
  });

  it('says offline and captive portal in plain words', () => {
    const offline = [appVerdict('whatsapp', { verdict: 'unknown', reasons: ['OFFLINE'] })];
    expect(say(offline, []).title).toBe("You're offline — connect and check again");
    const portal = [appVerdict('whatsapp', { verdict: 'unknown', reasons: ['CAPTIVE_PORTAL'] })];
    expect(say(portal, [], 'fr').title).toBe('Connectez-vous d’abord à ce Wi-Fi');
  });
});

describe('plural forms through Intl.PluralRules', () => {
  it('counts 0 as singular in French and uses the Arabic dual and plural forms', () => {
    expect(localeI18n('fr').plural('popup_progress', 0, '0', '3')).toBe('0 application vérifiée sur 3');
    expect(localeI18n('fr').plural('popup_progress', 2, '2', '3')).toBe('2 applications vérifiées sur 3');
    expect(localeI18n('ar').plural('popup_progress', 2, '٢', '١٦')).toBe('فُحص تطبيقان من أصل ١٦');
    expect(localeI18n('ar').plural('popup_progress', 3, '٣', '١٦')).toBe('فُحصت ٣ تطبيقات من أصل ١٦');
    expect(localeI18n('ar').plural('popup_progress', 11, '١١', '١٦')).toBe('فُحص ١١ تطبيقًا من أصل ١٦');
    expect(localeI18n('en').plural('popup_progress', 1, '1', '3')).toBe('1 of 3 apps checked');
  });
});
