// Numbers, durations and times in the user's locale through Intl, so digits and word order follow the language.
import { relativeAge } from './relative-age';

export interface Formatters {
  /** A duration from milliseconds: "120 ms" below a second, else seconds ("2 s", "1.5 s"), never "2,000 ms". */
  ms(value: number): string;
  /** A count with the locale's digits (ar-EG writes ٣). */
  number(value: number): string;
  /** "WhatsApp, Signal and Telegram", with the locale's conjunction. */
  list(items: readonly string[]): string;
  /** "5 minutes ago", "now" */
  age(iso: string, nowMs: number): string;
  /** Under a minute ago, where age() says a bare "now" that reads badly after a verb ("Vérifié maintenant"). */
  isJustNow(iso: string, nowMs: number): boolean;
  /** Date and time, short. */
  dateTime(iso: string): string;
  /** "2.5%" from 2.5 */
  percent(value: number): string;
}

export function createFormatters(locale: string): Formatters {
  // Arabic's short units ("ملي ث") clash with the full words our messages use ("ملي ثانية"): Arabic takes the long form.
  const unitDisplay = locale.startsWith('ar') ? 'long' : 'short';
  const msFormat = new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay, maximumFractionDigits: 0 });
  const secondFormat = new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', unitDisplay, maximumFractionDigits: 1 });
  const numberFormat = new Intl.NumberFormat(locale);
  const listFormat = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return {
    ms: (value) => (Math.round(value) < 1000 ? msFormat.format(Math.round(value)) : secondFormat.format(value / 1000)),
    number: (value) => numberFormat.format(value),
    list: (items) => listFormat.format(items),
    age: (iso, nowMs) => {
      const { value, unit } = relativeAge(Date.parse(iso), nowMs);
      return relative.format(value, unit);
    },
    isJustNow: (iso, nowMs) => relativeAge(Date.parse(iso), nowMs).value === 0,
    dateTime: (iso) => dateTime.format(new Date(iso)),
    percent: (value) => percent.format(value / 100),
  };
}
