// The top of the popup: the answer for the person's own apps in large words, icon and colour, with progress while a check runs.
import { headlineOf } from '../core/headline';
import type { Report } from '../core/report';
import { headlineText, toneOf } from '../ui/headline-text';
import { useI18n } from '../ui/i18n-context';
import { adviceKey, failureKey, reasonKey } from '../ui/report-text';
import { VerdictIcon } from '../ui/verdict-icon';
import { ConfidenceMeter } from './confidence-meter';
import { QualityLine } from './quality-line';
import { TechnicalDetails } from './technical-details';

/** Shows at most this many reasons under the answer; each app row carries its own. */
const TOP_REASONS = 2;

function Running({ progress, previous, now, pinned, nameOf }: {
  progress: number | null;
  previous: Report | null;
  now: number;
  pinned: readonly string[];
  nameOf(appId: string): string;
}) {
  const i18n = useI18n();
  const { t, format } = i18n;
  return (
    <div class="overall overall--running">
      <h2 class="overall__answer">
        <VerdictIcon verdict="pending" size={32} />
        <span>{t('popup_checking')}</span>
      </h2>
      {progress === null ? (
        <progress class="overall__progress" aria-label={t('popup_starting')} />
      ) : (
        <progress class="overall__progress" max={1} value={progress} aria-label={t('popup_checking')} />
      )}
      {previous !== null && (
        <p class="muted">
          {t('popup_previous_result', format.age(previous.finishedAt ?? previous.startedAt, now), headlineText(headlineOf(previous.apps, previous.overall, pinned), nameOf, i18n).title)}
        </p>
      )}
    </div>
  );
}

function Finished({ report, now, pinned, nameOf, portalUrl }: {
  report: Report;
  now: number;
  pinned: readonly string[];
  nameOf(appId: string): string;
  portalUrl: string | undefined;
}) {
  const i18n = useI18n();
  const { t, format } = i18n;
  const headline = headlineOf(report.apps, report.overall, pinned);
  const text = headlineText(headline, nameOf, i18n);
  const tone = toneOf(headline.kind);
  const overall = report.overall;
  // Offline and portal are the headline itself; repeating them as reasons says the same thing twice.
  const reasons = (overall?.reasons ?? []).filter((reason) => reason !== 'OFFLINE' && reason !== 'CAPTIVE_PORTAL');
  return (
    <div class={`overall overall--${tone}`} data-headline={headline.kind}>
      <div class="overall__head">
        <h2 class="overall__answer">
          <VerdictIcon verdict={tone} size={32} guessed={headline.allGuessed} />
          <span>{text.title}</span>
        </h2>
        {headline.confidence !== undefined && <ConfidenceMeter confidence={headline.confidence} />}
      </div>
      {text.lines.length > 0 && (
        <ul class="overall__lines">
          {text.lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {/* Quality is about a working path: offline or behind a portal there is none to rate. */}
      {headline.kind !== 'offline' && headline.kind !== 'portal' && report.status === 'done' && <QualityLine quality={report.quality} />}
      {headline.kind === 'portal' && portalUrl !== undefined && (
        // A link, not tabs.create: it opens a tab the same way from the toolbar popup and from a tab, in both browsers.
        <a class="button button--primary" href={portalUrl} target="_blank" rel="noreferrer">
          {t('portal_open')}
        </a>
      )}
      {report.status === 'failed' && (
        <>
          <p>{t(failureKey(report.error))}</p>
          {report.error !== undefined && <TechnicalDetails text={report.error} />}
        </>
      )}
      {report.status === 'cancelled' && <p>{t('popup_cancelled')}</p>}
      {reasons.length > 0 && (
        <ul class="reasons">
          {reasons.slice(0, TOP_REASONS).map((reason) => (
            <li key={reason}>{t(reasonKey(reason))}</li>
          ))}
        </ul>
      )}
      {headline.kind !== 'offline' && headline.kind !== 'portal' && overall !== undefined && overall.advice.length > 0 && (
        <>
          <h3 class="advice__heading">{t('popup_advice_heading')}</h3>
          <ul class="advice">
            {overall.advice.map((advice) => (
              <li key={advice}>{t(adviceKey(advice))}</li>
            ))}
          </ul>
        </>
      )}
      <p class="muted">
        <time dateTime={report.finishedAt ?? report.startedAt} title={format.dateTime(report.finishedAt ?? report.startedAt)}>
          {format.isJustNow(report.finishedAt ?? report.startedAt, now)
            ? t('popup_checked_just_now')
            : t('popup_last_checked', format.age(report.finishedAt ?? report.startedAt, now))}
        </time>
      </p>
    </div>
  );
}

export function OverallAnswer({ unknownYet, report, running, progress, previous, now, pinned, nameOf, portalUrl }: {
  /** getState has not answered (or failed): "no check yet" could be false, so nothing is said. */
  unknownYet: boolean;
  /** The report to show: the running one, the latest finished one, or one from history. */
  report: Report | null;
  running: boolean;
  /** From 0 to 1 (core/progress.ts); null while a requested check has not reported yet. */
  progress: number | null;
  previous: Report | null;
  now: number;
  pinned: readonly string[];
  nameOf(appId: string): string;
  portalUrl: string | undefined;
}) {
  const { t } = useI18n();
  if (unknownYet && !running) return null;
  if (running) return <Running progress={progress} previous={previous} now={now} pinned={pinned} nameOf={nameOf} />;
  if (report === null) return <p class="overall overall--none">{t('popup_never_checked')}</p>;
  return <Finished report={report} now={now} pinned={pinned} nameOf={nameOf} portalUrl={portalUrl} />;
}
