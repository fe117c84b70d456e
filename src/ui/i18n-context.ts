// Hands the loaded language to every component without threading it through props.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { I18n } from './i18n';

export const I18nContext = createContext<I18n | null>(null);

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (i18n === null) throw new Error('useI18n needs an I18nContext provider');
  return i18n;
}
