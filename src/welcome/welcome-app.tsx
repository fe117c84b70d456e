// The first-run page: which apps the person calls with, their language, whether to share results and to use the call-test relay, risks first, in plain words.
import type { App } from '../core/catalog';
import type { Settings } from '../core/settings';
import type { I18n } from '../ui/i18n';
import { I18nContext } from '../ui/i18n-context';
import { LanguageSection } from '../options/language-section';
import { PinnedAppsSection } from '../options/pinned-apps-section';
import { RelaySection } from '../options/relay-section';
import { SharingSection } from '../options/sharing-section';
import { useSettingsEditor } from '../options/use-settings-editor';

export function WelcomeApp({ initialSettings, initialI18n, apps }: { initialSettings: Settings; initialI18n: I18n; apps: readonly App[] }) {
  const { settings, i18n, save, update } = useSettingsEditor(initialSettings, initialI18n, 'welcome_title');
  const { t } = i18n;
  return (
    <I18nContext.Provider value={i18n}>
      <main class="options welcome">
        <h1>{t('welcome_title')}</h1>
        <p>{t('welcome_intro')}</p>
        <LanguageSection language={settings.language} onChange={(language) => void update({ ...settings, language })} />
        <p class="welcome__lead">{t('welcome_pinned')}</p>
        <PinnedAppsSection apps={apps} pinned={settings.pinnedApps} onChange={(pinnedApps) => void update({ ...settings, pinnedApps })} />
        {/* What a network sees comes before the sharing switch: it holds whether or not one shares. */}
        <section aria-labelledby="risks-heading">
          <h2 id="risks-heading">{t('welcome_risks_heading')}</h2>
          <p>{t('welcome_risk_network')}</p>
          <p>{t('welcome_risk_optional')}</p>
        </section>
        <SharingSection enabled={settings.shareResults} onChange={(shareResults) => void update({ ...settings, shareResults })} />
        <RelaySection enabled={settings.callTestRelay} onChange={(callTestRelay) => void update({ ...settings, callTestRelay })} />
        <p role="status" class={save.kind === 'error' ? 'save-status error' : 'save-status'}>
          {save.kind === 'saved' ? t('options_saved') : save.kind === 'error' ? t('options_save_error', save.message) : ''}
        </p>
        <p>{t('welcome_done_hint')}</p>
        <button type="button" class="button button--primary" onClick={() => window.close()}>
          {t('welcome_done')}
        </button>
      </main>
    </I18nContext.Provider>
  );
}
