// Options page entry point: loads settings and language, then renders the settings.
import { render } from 'preact';
import { defaultSettings } from '../core/settings';
import { loadActiveCatalog } from '../ui/active-catalog';
import { applyToDocument, loadI18n } from '../ui/i18n';
import { loadSettings } from '../ui/settings-store';
import { OptionsApp } from './options-app';

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  const settings = await loadSettings().catch((error: unknown) => {
    console.warn('settings unreadable, using defaults:', error);
    return defaultSettings;
  });
  const [i18n, catalog] = await Promise.all([loadI18n(settings.language), loadActiveCatalog()]);
  applyToDocument(i18n, 'options_title');
  render(
    <OptionsApp
      initialSettings={settings}
      initialI18n={i18n}
      apps={catalog.apps}
      catalogError={catalog.error}
    />,
    root,
  );
}

void main();
