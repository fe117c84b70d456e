// The options page: sharing consent, the call-test relay consent, pinned apps, custom servers, language and history, each saved as it changes.
import type { App } from '../core/catalog';
import type { Settings } from '../core/settings';
import type { I18n } from '../ui/i18n';
import { I18nContext } from '../ui/i18n-context';
import { CustomServersSection } from './custom-servers-section';
import { HistorySection } from './history-section';
import { LanguageSection } from './language-section';
import { PinnedAppsSection } from './pinned-apps-section';
import { RelaySection } from './relay-section';
import { SharingSection } from './sharing-section';
import { useSettingsEditor } from './use-settings-editor';

export interface OptionsProps {
  initialSettings: Settings;
  initialI18n: I18n;
  apps: readonly App[];
  catalogError: string | null;
}

export function OptionsApp({ initialSettings, initialI18n, apps, catalogError }: OptionsProps) {
  const { settings, i18n, save, update } = useSettingsEditor(initialSettings, initialI18n, 'options_title');
  const { t } = i18n;

  return (
    <I18nContext.Provider value={i18n}>
      <main class="options">
        <h1>{t('options_title')}</h1>
        <p>
          <a href="../welcome/index.html" target="_blank" rel="noreferrer">
            {t('welcome_open')}
          </a>
        </p>
        {catalogError !== null && (
          <p role="alert" class="error">
            {t('options_catalog_error', catalogError)}
          </p>
        )}
        <SharingSection enabled={settings.shareResults} onChange={(shareResults) => void update({ ...settings, shareResults })} />
        <RelaySection enabled={settings.callTestRelay} onChange={(callTestRelay) => void update({ ...settings, callTestRelay })} />
        <PinnedAppsSection apps={apps} pinned={settings.pinnedApps} onChange={(pinnedApps) => void update({ ...settings, pinnedApps })} />
        <CustomServersSection
          servers={settings.customServers}
          onChange={(customServers) => void update({ ...settings, customServers })}
        />
        <LanguageSection language={settings.language} onChange={(language) => void update({ ...settings, language })} />
        <HistorySection />
        {/* One polite region for every save, so each change is confirmed without stealing focus. */}
        <p role="status" class={save.kind === 'error' ? 'save-status error' : 'save-status'}>
          {save.kind === 'saved' ? t('options_saved') : save.kind === 'error' ? t('options_save_error', save.message) : ''}
        </p>
      </main>
    </I18nContext.Provider>
  );
}
