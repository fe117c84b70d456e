// The connection as a whole: expected call sound, NAT behaviour, round-trip time and the quick call window, for whoever wants the numbers.
import type { Report } from '../core/report';
import { useI18n } from '../ui/i18n-context';
import { quickCallText } from '../ui/call-test-text';
import { natKey, qualityKey } from '../ui/report-text';

export function ConnectionDetails({ report }: { report: Report }) {
  const i18n = useI18n();
  const { t, format } = i18n;
  const { quality, baselineRttMs } = report;
  const { nat, callTest } = report.observations;
  if (quality === undefined && nat === undefined && baselineRttMs === undefined && callTest === undefined) return null;
  return (
    <details class="connection">
      <summary>{t('popup_connection_heading')}</summary>
      <ul>
        {quality !== undefined && (
          <li>
            {t('popup_quality', t(qualityKey(quality.band)))} ({t('popup_quality_detail', format.ms(quality.rttMs), format.ms(quality.jitterMs))}
            {quality.lossPct !== undefined && `, ${t('popup_loss', format.percent(quality.lossPct))}`})
          </li>
        )}
        {nat !== undefined && <li>{t('popup_nat', t(natKey(nat.mapping)))}</li>}
        {baselineRttMs !== undefined && <li>{t('popup_baseline', format.ms(baselineRttMs))}</li>}
        {callTest !== undefined && <li>{quickCallText(callTest, i18n)}</li>}
      </ul>
    </details>
  );
}
