// The collector's public results page as the popup links to it: at the collector's root, in the popup's language.
import type { UiLanguage } from '../ui/language';

/** The root of the collector's origin, as the API's paths resolve against it (sharing.ts). */
export function resultsPageUrl(collectorUrl: string, language: UiLanguage): string {
  const url = new URL('/', collectorUrl);
  url.searchParams.set('lang', language);
  return url.href;
}
