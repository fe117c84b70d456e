// Popup entry point: loads settings and language, then renders the popup.
import { render } from 'preact';
import browser from 'webextension-polyfill';
import { defaultSettings } from '../core/settings';
import { loadActiveCatalog } from '../ui/active-catalog';
import { applyToDocument, loadI18n } from '../ui/i18n';
import { I18nContext } from '../ui/i18n-context';
import { loadSettings } from '../ui/settings-store';
import { PopupApp } from './popup-app';

/**
 * A toolbar popup sizes itself to its content, so it needs a set width; the same page opened in a
 * tab (tests, small screens) should fill the window instead, up to a readable measure.
 */
function markToolbarPopup(): void {
  const isPopup = browser.extension.getViews({ type: 'popup' }).includes(window);
  document.documentElement.classList.toggle('in-toolbar-popup', isPopup);
}

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  markToolbarPopup();
  const settings = await loadSettings().catch((error: unknown) => {
    console.warn('settings unreadable, using defaults:', error);
    return defaultSettings;
  });
  const [i18n, catalog] = await Promise.all([loadI18n(settings.language), loadActiveCatalog()]);
  applyToDocument(i18n, 'appName');
  render(
    <I18nContext.Provider value={i18n}>
      <PopupApp
        apps={catalog.apps}
        catalogError={catalog.error}
        pinned={settings.pinnedApps}
      />
    </I18nContext.Provider>,
    root,
  );
}

void main();
