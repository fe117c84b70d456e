// How sure the headline is, as three steps beside it, with the level in words for readers and screen readers.
import type { Confidence } from '../core/catalog';
import { useI18n } from '../ui/i18n-context';
import type { MessageKey } from '../ui/message-format';

const STEPS: Readonly<Record<Confidence, number>> = { low: 1, medium: 2, high: 3 };

export function ConfidenceMeter({ confidence }: { confidence: Confidence }) {
  const { t } = useI18n();
  const level = t(`confidence_level_${confidence}` satisfies MessageKey);
  const steps = STEPS[confidence];
  return (
    <div class="meter" role="meter" aria-valuemin={1} aria-valuemax={3} aria-valuenow={steps} aria-valuetext={level} aria-label={t('confidence_meter')}>
      <span class="meter__steps" aria-hidden="true">
        {[1, 2, 3].map((step) => (
          <span key={step} class={step <= steps ? 'meter__step meter__step--on' : 'meter__step'} />
        ))}
      </span>
      <span aria-hidden="true">{level}</span>
    </div>
  );
}
