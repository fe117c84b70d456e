// One app in the popup: name, verdict in words and icon, a one-line reason, and a disclosure with the evidence.
import { useState } from 'preact/hooks';
import type { CrowdLine } from '../core/crowd';
import type { AppVerdict, Observations } from '../core/report';
import { appQualityOf } from '../core/call-quality';
import { useI18n } from '../ui/i18n-context';
import { adviceKey, confidenceKey, reachKey, reasonKey } from '../ui/report-text';
import { VerdictIcon } from '../ui/verdict-icon';
import type { AppTargets } from './app-evidence';
import { useLazy } from './use-lazy';
import type { AppRow } from './app-rows';
import { badgeHue, initialOf } from './app-badge';
import { QualityLine } from './quality-line';
import { summaryLine, verdictWords } from './row-text';

function Badge({ row }: { row: AppRow }) {
  return (
    <span class={`badge badge--hue${badgeHue(row.appId)}`} aria-hidden="true">
      {initialOf(row.name)}
    </span>
  );
}

function Note({ row }: { row: AppRow }) {
  const { lookup } = useI18n();
  const note = row.noteKey === undefined ? undefined : lookup(row.noteKey);
  return note === undefined ? null : <span class="app-row__note">{note}</span>;
}

function Crowd({ row, crowd }: { row: AppRow; crowd: CrowdLine | undefined }) {
  const { t, format } = useI18n();
  if (crowd === undefined) return null;
  return (
    <p class="crowd">
      {t('popup_crowd_line', format.number(crowd.days), row.name, format.percent(crowd.blockedPct), format.number(crowd.total))}
    </p>
  );
}

/** The quality measured to this app's own server, when the check measured one; the numbers wait under the details. */
function AppQuality({ row, verdict }: { row: AppRow; verdict: AppVerdict }) {
  const { t, format } = useI18n();
  const quality = appQualityOf(verdict);
  if (quality === undefined) return null;
  return (
    <div class="app-quality">
      <QualityLine quality={quality} />
      <p class="muted small">
        {t('quality_to_app', row.name)}: {t('popup_quality_detail', format.ms(quality.rttMs), format.ms(quality.jitterMs))}
        {quality.lossPct !== undefined && `, ${t('popup_loss', format.percent(quality.lossPct))}`}
      </p>
    </div>
  );
}

function Panel({ id, hidden, row, verdict, targets, observations, crowd }: {
  id: string;
  hidden: boolean;
  row: AppRow;
  verdict: AppVerdict;
  targets: AppTargets | undefined;
  observations: Observations;
  crowd: CrowdLine | undefined;
}) {
  const { t } = useI18n();
  const [technicalOpen, setTechnicalOpen] = useState(false);
  // The evidence table is for the few who open it: its code loads then, not with every popup.
  const Evidence = useLazy(technicalOpen, () => import('./evidence-table').then((module) => module.EvidenceTable));
  return (
    <div id={id} class="app-row__panel" hidden={hidden}>
      <p>
        {t('reach_messaging', t(reachKey(verdict.messaging)))} · {t('reach_calls', t(reachKey(verdict.calls)))}
      </p>
      <AppQuality row={row} verdict={verdict} />
      <Crowd row={row} crowd={crowd} />
      <p class="muted">{t(confidenceKey(verdict.confidence))}</p>
      {verdict.reasons.length > 1 && (
        <ul class="reasons">
          {verdict.reasons.map((reason) => (
            <li key={reason}>{t(reasonKey(reason))}</li>
          ))}
        </ul>
      )}
      {/* Target ids, failure codes and ports are for experts: folded, so the row speaks plain words first. */}
      <details class="technical" onToggle={(event) => setTechnicalOpen(event.currentTarget.open)}>
        <summary>{t('technical_details')}</summary>
        {Evidence !== null && <Evidence appId={row.appId} targets={targets} observations={observations} />}
      </details>
      {verdict.advice.length > 0 && (
        <>
          <h4 class="advice__heading">{t('popup_advice_heading')}</h4>
          <ul class="advice">
            {verdict.advice.map((advice) => (
              <li key={advice}>{t(adviceKey(advice))}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** A pin toggle beside the row: the label names the app, the pressed state says whether it is pinned. */
function PinButton({ row, onToggle }: { row: AppRow; onToggle(appId: string): void }) {
  const { t } = useI18n();
  return (
    <button type="button" class="pin-button" aria-pressed={row.pinned} aria-label={t('popup_pin', row.name)} title={t('popup_pin', row.name)} onClick={() => onToggle(row.appId)}>
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" fill={row.pinned ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="2" stroke-linejoin="round">
        <path d="M12 2.8l2.8 5.7 6.3.9-4.6 4.4 1.1 6.2L12 17l-5.6 3 1.1-6.2-4.6-4.4 6.3-.9Z" />
      </svg>
    </button>
  );
}

export function AppRowItem({ row, targets, observations, crowd, onTogglePin }: {
  row: AppRow;
  targets: AppTargets | undefined;
  observations: Observations;
  /** What other people's shared checks say about this app on this network (only when sharing is on). */
  crowd?: CrowdLine | undefined;
  onTogglePin(appId: string): void;
}) {
  const { t } = useI18n();
  const [expanded, setExpanded] = useState(false);
  const pinned = row.pinned ? <span class="visually-hidden">{t('popup_pinned')}</span> : null;

  switch (row.state.kind) {
    case 'pending':
    case 'not-checked': {
      const pending = row.state.kind === 'pending';
      return (
        <li class={`app-row app-row--${row.state.kind}`}>
          <PinButton row={row} onToggle={onTogglePin} />
          <div class="app-row__summary">
            <Badge row={row} />
            <span class="app-row__main">
              <span class="app-row__name">
                {row.name} {pinned}
              </span>
              <Note row={row} />
            </span>
            <span class="verdict verdict--pending">
              {pending && <VerdictIcon verdict="pending" size={16} />}
              {t(pending ? 'popup_row_pending' : 'popup_row_not_checked')}
            </span>
          </div>
        </li>
      );
    }
    case 'result': {
      const { verdict } = row.state;
      const panelId = `panel-${row.appId}`;
      return (
        <li class={`app-row app-row--${verdict.verdict}${row.guessed ? ' app-row--guessed' : ''}`}>
          <PinButton row={row} onToggle={onTogglePin} />
          <button
            type="button"
            class="app-row__summary app-row__toggle"
            aria-expanded={expanded}
            aria-controls={panelId}
            onClick={() => setExpanded(!expanded)}
          >
            <Badge row={row} />
            <span class="app-row__main">
              <span class="app-row__name">
                {row.name} {pinned}
              </span>
              <span class="app-row__reason">{summaryLine(row, verdict, t)}</span>
              <Note row={row} />
            </span>
            <span class={`verdict verdict--${verdict.verdict}${row.guessed ? ' verdict--guessed' : ''}`}>
              <VerdictIcon verdict={verdict.verdict} size={16} guessed={row.guessed} />
              {t(verdictWords(verdict.verdict, row.guessed))}
            </span>
            <svg class="chevron" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
              <path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
            </svg>
          </button>
          <Panel id={panelId} hidden={!expanded} row={row} verdict={verdict} targets={targets} observations={observations} crowd={crowd} />
        </li>
      );
    }
    default: {
      const unreachable: never = row.state;
      return unreachable;
    }
  }
}
