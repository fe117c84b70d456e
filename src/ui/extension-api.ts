// The extension API for the UI pages, without webextension-polyfill's weight on the popup's first paint: Firefox's own
// `browser`, or Chrome's `chrome`, whose MV3 methods return promises as well.
import type { Extension, I18n, Runtime, Storage } from 'webextension-polyfill';

/**
 * Only what the pages use, each the same in Chrome 116+ and Firefox 140+ (the manifests' minimums). Anything added
 * here must return a promise in Chrome too; the background keeps the polyfill, whose onMessage listeners need it.
 */
export interface UiExtensionApi {
  runtime: Pick<Runtime.Static, 'connect' | 'sendMessage' | 'getURL' | 'openOptionsPage' | 'lastError'>;
  storage: { local: Pick<Storage.Static['local'], 'get' | 'set'> };
  i18n: Pick<I18n.Static, 'getMessage' | 'getUILanguage'>;
  extension: Pick<Extension.Static, 'getViews'>;
}

const scope = globalThis as unknown as { browser: UiExtensionApi; chrome: UiExtensionApi };

export const browser: UiExtensionApi = __BROWSER__ === 'firefox' ? scope.browser : scope.chrome;
