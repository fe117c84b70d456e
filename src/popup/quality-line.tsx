// "Voice calls: good · Video calls: fair" from a quality estimate, or "not measured" when there is none (never a default).
import { callQualityOf } from '../core/call-quality';
import type { Quality } from '../core/report';
import { useI18n } from '../ui/i18n-context';
import { qualityKey } from '../ui/report-text';

export function QualityLine({ quality }: { quality: Quality | undefined }) {
  const { t } = useI18n();
  if (quality === undefined) return <p class="quality">{t('quality_not_measured')}</p>;
  const { voice, video } = callQualityOf(quality);
  return (
    <p class="quality">
      <span class={`quality__band quality__band--${voice}`}>{t('quality_voice', t(qualityKey(voice)))}</span>
      {' · '}
      <span class={`quality__band quality__band--${video}`}>{t('quality_video', t(qualityKey(video)))}</span>
    </p>
  );
}
