// The options page: sharing consent, pinned apps, custom servers, language and history, each saved as it changes.
import { useState } from 'preact/hooks';
import type { App } from '../core/catalog';
import type { Settings } from '../core/settings';
import { errorText } from '../ui/answer';
import { applyToDocument, loadI18n, type I18n } from '../ui/i18n';
import { I18nContext } from '../ui/i18n-context';
import { saveSettings } from '../ui/settings-store';
import { CustomServersSection } from './custom-servers-section';
import { HistorySection } from './history-section';
import { LanguageSection } from './language-section';
import { PinnedAppsSection } from './pinned-apps-section';
import { SharingSection } from './sharing-section';

type SaveState = { kind: 'idle' } | { kind: 'saved' } | { kind: 'error'; message: string };

export interface OptionsProps {
  initialSettings: Settings;
  initialI18n: I18n;
  apps: readonly App[];
  catalogError: string | null;
}

export function OptionsApp({ initialSettings, initialI18n, apps, catalogError }: OptionsProps) {
  const [settings, setSettings] = useState(initialSettings);
  const [i18n, setI18n] = useState(initialI18n);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const { t } = i18n;

  const update = async (next: Settings): Promise<void> => {
    setSettings(next);
    try {
      await saveSettings(next);
      setSave({ kind: 'saved' });
    } catch (error) {
      setSave({ kind: 'error', message: errorText(error) });
    }
    if (next.language !== settings.language) {
      const loaded = await loadI18n(next.language);
      applyToDocument(loaded, 'options_title');
      setI18n(loaded);
    }
  };

  return (
    <I18nContext.Provider value={i18n}>
      <main class="options">
        <h1>{t('options_title')}</h1>
        {catalogError !== null && (
          <p role="alert" class="error">
            {t('options_catalog_error', catalogError)}
          </p>
        )}
        <SharingSection enabled={settings.shareResults} onChange={(shareResults) => void update({ ...settings, shareResults })} />
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
