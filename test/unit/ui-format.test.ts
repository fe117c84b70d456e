// Ages, durations and times through Intl in the chosen locale, and the language/direction choice.
import { describe, expect, it } from 'vitest';
import { createFormatters } from '../../src/ui/intl-format';
import { directionOf, intlLocaleFor, resolveLanguage } from '../../src/ui/language';
import { relativeAge } from '../../src/ui/relative-age';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('relativeAge', () => {
  it.each([
    [0, { value: 0, unit: 'second' }],
    [59_999, { value: 0, unit: 'second' }],
    [60_000, { value: -1, unit: 'minute' }],
    [59 * 60_000 + 59_000, { value: -59, unit: 'minute' }],
    [3_600_000, { value: -1, unit: 'hour' }],
    [23 * 3_600_000, { value: -23, unit: 'hour' }],
    [3 * 86_400_000 + 5, { value: -3, unit: 'day' }],
  ])('%i ms ago is %o', (elapsed, expected) => {
    expect(relativeAge(NOW - elapsed, NOW)).toEqual(expected);
  });

  it('treats a time in the future (clock skew) as now', () => {
    expect(relativeAge(NOW + 120_000, NOW)).toEqual({ value: 0, unit: 'second' });
  });
});

describe('createFormatters', () => {
  it('says ages in each language', () => {
    expect(createFormatters('en').age(ago(5 * 60_000), NOW)).toBe('5 minutes ago');
    expect(createFormatters('en').age(ago(1000), NOW)).toBe('now');
    expect(createFormatters('fr').age(ago(2 * 3_600_000), NOW)).toBe('il y a 2 heures');
    expect(createFormatters('ar').age(ago(5 * 60_000), NOW)).toMatch(/^قبل .*دقائق$/);
  });

  it('writes durations with the locale digits and unit', () => {
    expect(createFormatters('en').ms(120.4)).toBe('120 ms');
    expect(createFormatters('fr').ms(999)).toMatch(/^999\sms$/);
    expect(createFormatters('ar-EG').ms(120)).toContain('١٢٠');
    expect(createFormatters('ar-MA').ms(120)).toContain('120');
  });

  it('writes a second or more in seconds, not thousands of milliseconds', () => {
    expect(createFormatters('en').ms(2000)).toBe('2 sec');
    expect(createFormatters('en').ms(1534)).toBe('1.5 sec');
    expect(createFormatters('fr').ms(2000)).toMatch(/^2\ss$/);
    expect(createFormatters('ar-EG').ms(1500)).toContain('١٫٥');
    // The full word, as the Arabic messages write it, not the abbreviation "ملي ث".
    expect(createFormatters('ar').ms(120)).toContain('ملي ثانية');
    // 999.6 rounds to a whole second: it must not read "1,000 ms".
    expect(createFormatters('en').ms(999.6)).toBe('1 sec');
  });

  it('writes counts with the locale digits and lists with its conjunction', () => {
    expect(createFormatters('ar-EG').number(16)).toBe('١٦');
    expect(createFormatters('en').list(['Signal', 'Telegram'])).toBe('Signal and Telegram');
    expect(createFormatters('fr').list(['Signal', 'Telegram', 'Viber'])).toBe('Signal, Telegram et Viber');
  });

  it('tells "just now" apart from an age, so no message reads "Checked now"', () => {
    expect(createFormatters('fr').isJustNow(ago(59_000), NOW)).toBe(true);
    expect(createFormatters('fr').isJustNow(ago(61_000), NOW)).toBe(false);
  });

  it('writes percentages from a 0–100 value', () => {
    expect(createFormatters('en').percent(2.5)).toBe('2.5%');
  });
});

describe('language', () => {
  it('follows the browser for auto, falling back to English like the browser does', () => {
    expect(resolveLanguage('auto', 'ar-EG')).toBe('ar');
    expect(resolveLanguage('auto', 'fr_CA')).toBe('fr');
    expect(resolveLanguage('auto', 'de-DE')).toBe('en');
    expect(resolveLanguage('fr', 'ar-EG')).toBe('fr');
  });

  it('writes Arabic right to left and the others left to right', () => {
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('en')).toBe('ltr');
    expect(directionOf('fr')).toBe('ltr');
  });

  it('keeps the browser region for Intl only when it is a variant of the shown language', () => {
    expect(intlLocaleFor('ar', 'ar-MA')).toBe('ar-MA');
    expect(intlLocaleFor('fr', 'fr_CA')).toBe('fr-CA');
    expect(intlLocaleFor('ar', 'en-US')).toBe('ar');
  });
});
