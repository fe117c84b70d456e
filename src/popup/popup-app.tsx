// The popup: the answer for this connection, one row per app, history and export.
import { useState } from 'preact/hooks';
import { browser } from '../ui/extension-api';
import type { App } from '../core/catalog';
import type { Report } from '../core/report';
import type { Settings } from '../core/settings';
import { LanguageSelect } from '../ui/language-select';
import { useI18n } from '../ui/i18n-context';
import { headlineText } from '../ui/headline-text';
import { useNow } from '../ui/use-now';
import { checkProgress } from '../core/progress';
import { AppRowItem } from './app-row';
import { buildRows, probeCounts, progressOf } from './app-rows';
import { useLazy } from './use-lazy';
import { OverallAnswer } from './overall-answer';
import { useCheck } from './use-check';
import { isLoading, isRunning, sessionView } from './check-session';
import { summaryText } from './summary-text';
import { usePinned } from './use-pinned';
import { useCrowd } from './use-crowd';
import { crowdLineFor } from '../core/crowd';
import { gateOf, headlineOf } from '../core/headline';
import { TechnicalDetails } from './technical-details';
import { resultsPageUrl } from './results-url';

/** While a check runs the bar moves with time as well as results; otherwise ages only need refreshing now and then. */
const PROGRESS_TICK_MS = 250;
const AGE_TICK_MS = 30_000;

export interface PopupProps {
  apps: readonly App[];
  /** Why the bundled catalog could not be read, if it could not. */
  catalogError: string | null;
  pinned: readonly string[];
  /** The page to open to reach a captive portal's sign-in. */
  portalUrl: string | undefined;
  /** The collector from the settings: its public results page is linked whether or not the person shares. */
  collectorUrl: string;
  language: Settings['language'];
  onLanguage(language: Settings['language']): void;
}

export function PopupApp({ apps, catalogError, pinned: initialPinned, portalUrl, collectorUrl, language, onLanguage }: PopupProps) {
  const i18n = useI18n();
  const { t, format, plural } = i18n;
  const { pinned, toggle: togglePin } = usePinned(initialPinned);
  const check = useCheck();
  const crowd = useCrowd();
  const now = useNow(isRunning(check.state) ? PROGRESS_TICK_MS : AGE_TICK_MS);
  const [view, setView] = useState<'result' | 'history'>('result');
  // History is a second view: its code loads when first opened.
  const HistoryView = useLazy(view === 'history', () => import('./history-view').then((module) => module.HistoryView));
  /** A report picked from history; null shows the live state. */
  const [picked, setPicked] = useState<Report | null>(null);

  const session = sessionView(check.state, picked);
  const { shown, running, current, stale, rowsReport, finished } = session;
  const lastFinished = check.state.lastFinished;
  const rows = buildRows(apps, rowsReport, pinned, running && !stale);
  const progress = running && current !== null ? progressOf(buildRows(apps, current, pinned, true)) : null;
  const fraction = running && current !== null ? checkProgress({ elapsedMs: now - Date.parse(current.startedAt), ...probeCounts(apps, current.observations) }) : null;
  const targets = new Map(apps.map((app) => [app.id, app]));
  // Naming the network is for a finished check only; its code loads once there is one.
  const NetworkName = useLazy(finished !== null, () => import('./network-name').then((module) => module.NetworkName));
  // Below the rows and only for a finished check: loaded as soon as there is a result to show, not before the answer.
  const ResultExtras = useLazy(shown !== null, () => import('./result-extras').then((module) => module.ResultExtras));
  const renamed = (report: Report): void => {
    check.replace(report);
    setPicked((held) => (held?.id === report.id ? report : held));
  };
  // Offline or behind a portal nothing about any app is known: no rows to misread, nothing worth exporting.
  const gated = shown !== null && !running && gateOf(shown.overall, shown.apps) !== undefined;
  const nameOf = (appId: string): string => targets.get(appId)?.name ?? appId;
  // Rows judged only from general tests go in their own foldable group, unless the person pinned them.
  const tested = rows.filter((row) => row.pinned || !row.guessed);
  const guessed = rows.filter((row) => !row.pinned && row.guessed);
  const rowItem = (row: (typeof rows)[number]) => (
    <AppRowItem
      key={row.appId}
      row={row}
      targets={targets.get(row.appId)}
      observations={rowsReport?.observations ?? { http: [], ice: [], dns: [] }}
      crowd={crowd === null ? undefined : crowdLineFor(crowd, row.appId)}
      onTogglePin={togglePin}
    />
  );

  /** The status line: progress while a check runs, the new answer once it is in (read out by screen readers). */
  const statusText = (): string => {
    if (running && progress === null) return t('popup_starting');
    if (running && progress !== null) return plural('popup_progress', progress.done, format.number(progress.done), format.number(progress.total));
    if (session.announced !== null) return t('popup_finished', headlineText(headlineOf(session.announced.apps, session.announced.overall, pinned), nameOf, i18n).title);
    return '';
  };

  return (
    <>
      <header class="bar">
        <h1 class="bar__title">{t('appName')}</h1>
        <nav class="bar__nav">
          {view === 'result' ? (
            <button type="button" class="link-button" onClick={() => setView('history')}>
              {t('popup_history')}
            </button>
          ) : (
            <button type="button" class="link-button" onClick={() => setView('result')}>
              {t('popup_back')}
            </button>
          )}
          <button type="button" class="link-button" onClick={() => void browser.runtime.openOptionsPage()}>
            {t('popup_settings')}
          </button>
          <label for="popup-language" class="visually-hidden">
            {t('language_label')}
          </label>
          <LanguageSelect id="popup-language" class="bar__language" language={language} onChange={onLanguage} />
        </nav>
      </header>

      <main>
        {view === 'history' ? (
          HistoryView !== null && (
            <HistoryView
              pinned={pinned}
              nameOf={nameOf}
              onShow={(report) => {
                setPicked(report);
                setView('result');
              }}
            />
          )
        ) : (
          <>
            {picked !== null && (
              <p class="notice">
                {t('history_viewing', format.dateTime(picked.startedAt))}{' '}
                <button type="button" class="link-button" onClick={() => setPicked(null)}>
                  {t('history_back_latest')}
                </button>
              </p>
            )}
            <section class="answer">
              <OverallAnswer unknownYet={session.unknownYet} report={shown} running={running} progress={fraction} previous={lastFinished} now={now} pinned={pinned} nameOf={nameOf} portalUrl={portalUrl} />
              <p role="status" aria-live="polite" class={running ? 'status' : 'visually-hidden'}>
                {statusText()}
              </p>
              {session.error !== null && (
                <div role="alert" class="error">
                  <p>{t(session.error.kind === 'start' ? 'popup_error_start' : 'popup_error_state')}</p>
                  <TechnicalDetails text={session.error.message} />
                </div>
              )}
              {catalogError !== null && (
                <p role="alert" class="error">
                  {t('options_catalog_error', catalogError)}
                </p>
              )}
              {picked === null && (
                <button type="button" class="button button--primary" disabled={running || isLoading(check.state)} onClick={check.checkAgain}>
                  {t(session.error === null ? 'popup_check_again' : 'popup_retry')}
                </button>
              )}
              {finished !== null && NetworkName !== null && <NetworkName key={finished.id} report={finished} onSaved={renamed} />}
            </section>

            {!gated && (
              <section class={stale ? 'apps apps--stale' : 'apps'} aria-labelledby="apps-heading" aria-busy={stale}>
                <h2 id="apps-heading" class="apps__heading">
                  {t('popup_apps_heading')}
                </h2>
                <ul class="apps__list">{tested.map(rowItem)}</ul>
                {guessed.length > 0 && (
                  <details class="guessed">
                    <summary>{plural('popup_guessed_heading', guessed.length, format.number(guessed.length))}</summary>
                    <p class="guessed__help small">{t('popup_guessed_help')}</p>
                    <ul class="apps__list">{guessed.map(rowItem)}</ul>
                  </details>
                )}
              </section>
            )}

            {shown !== null && !running && !gated && ResultExtras !== null && (
              <ResultExtras report={shown} callTest={picked === null} summary={() => summaryText(shown, rows, pinned, nameOf, i18n)} />
            )}
            {/* A plain link: the browser opens the page in a tab; the extension itself sends nothing for it. */}
            <p class="others">
              <a href={resultsPageUrl(collectorUrl, i18n.language)} target="_blank" rel="noreferrer">
                {t('results_see_others')}
              </a>
            </p>
          </>
        )}
      </main>
    </>
  );
}
