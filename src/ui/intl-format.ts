// Numbers, durations and times in the user's locale through Intl, so digits and word order follow the language.
import { relativeAge } from './relative-age';

export interface Formatters {
  /** "120 ms" */
  ms(value: number): string;
  /** "5 minutes ago", "now" */
  age(iso: string, nowMs: number): string;
  /** Date and time, short. */
  dateTime(iso: string): string;
  /** "2.5%" from 2.5 */
  percent(value: number): string;
}

export function createFormatters(locale: string): Formatters {
  const msFormat = new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return {
    ms: (value) => msFormat.format(Math.round(value)),
    age: (iso, nowMs) => {
      const { value, unit } = relativeAge(Date.parse(iso), nowMs);
      return relative.format(value, unit);
    },
    dateTime: (iso) => dateTime.format(new Date(iso)),
    percent: (value) => percent.format(value / 100),
  };
}
