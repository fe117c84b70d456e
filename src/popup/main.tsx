// Popup entry point: loads settings and language, then renders the popup; a language picked in the popup applies at once.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { browser } from '../ui/extension-api';
import { defaultSettings, type Settings } from '../core/settings';
import { loadActiveCatalog, type ActiveCatalog } from '../ui/active-catalog';
import { applyToDocument, loadI18n, type I18n } from '../ui/i18n';
import { I18nContext } from '../ui/i18n-context';
import { loadSettings, saveSettings } from '../ui/settings-store';
import { PopupApp } from './popup-app';

/**
 * A toolbar popup sizes itself to its content, so it needs a set width; the same page opened in a
 * tab (tests, small screens) keeps about that width (popup.css).
 */
function markToolbarPopup(): void {
  const isPopup = browser.extension.getViews({ type: 'popup' }).includes(window);
  document.documentElement.classList.toggle('in-toolbar-popup', isPopup);
}

function Root({ settings, initialI18n, catalog }: { settings: Settings; initialI18n: I18n; catalog: ActiveCatalog }) {
  const [i18n, setI18n] = useState(initialI18n);
  const [language, setLanguage] = useState(settings.language);
  // Re-rendered in place, not reloaded: reopening the popup would start another check.
  const changeLanguage = async (next: Settings['language']): Promise<void> => {
    setLanguage(next);
    const stored = await loadSettings().catch(() => settings);
    await saveSettings({ ...stored, language: next }).catch((error: unknown) => console.warn('could not save the language:', error));
    const loaded = await loadI18n(next);
    applyToDocument(loaded, 'appName');
    setI18n(loaded);
  };
  return (
    <I18nContext.Provider value={i18n}>
      <PopupApp
        apps={catalog.apps}
        catalogError={catalog.error}
        pinned={settings.pinnedApps}
        portalUrl={catalog.portalUrl}
        collectorUrl={settings.collectorUrl}
        language={language}
        onLanguage={(next) => void changeLanguage(next)}
      />
    </I18nContext.Provider>
  );
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
  render(<Root settings={settings} initialI18n={i18n} catalog={catalog} />, root);
}

void main();
