// The probes behind one app's verdict as a table of raw targets, routes and codes: loaded only when "Technical details" opens.
import type { Observations } from '../core/report';
import { useI18n } from '../ui/i18n-context';
import { evidenceFor, type AppTargets, type EvidenceDetail } from './app-evidence';

function DetailText({ detail }: { detail: EvidenceDetail }) {
  const { t } = useI18n();
  if ('code' in detail) return <code>{detail.code}</code>;
  return <span>{t(detail.key, ...(detail.substitutions ?? []))}</span>;
}

export function EvidenceTable({ appId, targets, observations }: { appId: string; targets: AppTargets | undefined; observations: Observations }) {
  const { t, format } = useI18n();
  const items = evidenceFor(appId, targets, observations);
  if (items.length === 0) return <p class="muted">{t('popup_no_evidence')}</p>;
  return (
    <table class="evidence">
      <caption>{t('popup_evidence_heading')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('popup_col_test')}</th>
          <th scope="col">{t('popup_col_via')}</th>
          <th scope="col">{t('popup_col_result')}</th>
          <th scope="col">{t('popup_col_time')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={`${item.kind}:${item.targetId}`} class={item.ok ? '' : 'evidence__problem'}>
            <th scope="row">
              <code dir="ltr">{item.targetId}</code>
            </th>
            <td>
              <code dir="ltr">{item.via}</code>
            </td>
            <td>
              <span class="evidence__outcome">{t(item.outcome)}</span>
              {item.details.map((detail, index) => (
                <span key={index} class="evidence__detail">
                  <DetailText detail={detail} />
                </span>
              ))}
            </td>
            <td class="evidence__ms">{item.ms === undefined ? '' : format.ms(item.ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
