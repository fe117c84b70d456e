// First-run page entry point (opened on install, and from the options): loads settings and language, then renders the page.
import { render } from 'preact';
import { defaultSettings } from '../core/settings';
import { loadActiveCatalog } from '../ui/active-catalog';
import { applyToDocument, loadI18n } from '../ui/i18n';
import { loadSettings } from '../ui/settings-store';
import { WelcomeApp } from './welcome-app';

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  const settings = await loadSettings().catch((error: unknown) => {
    console.warn('settings unreadable, using defaults:', error);
    return defaultSettings;
  });
  const [i18n, catalog] = await Promise.all([loadI18n(settings.language), loadActiveCatalog()]);
  applyToDocument(i18n, 'welcome_title');
  render(<WelcomeApp initialSettings={settings} initialI18n={i18n} apps={catalog.apps} />, root);
}

void main();
