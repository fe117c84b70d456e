// The "Test a call" button: the sustained call test through our relay, a live figure while it runs, the end in plain words.
import { judgeCallTest } from '../core/call-test';
import { callTestProgressText, callTestText } from '../ui/call-test-text';
import { useI18n } from '../ui/i18n-context';
import { TechnicalDetails } from './technical-details';
import { useCallTest } from './use-call-test';

export function CallTestSection() {
  const i18n = useI18n();
  const { t } = i18n;
  const { state, start } = useCallTest();
  return (
    <section class="call-test" aria-labelledby="call-test-heading">
      <h2 id="call-test-heading" class="apps__heading">
        {t('call_test_heading')}
      </h2>
      <button type="button" class="button" disabled={state.kind === 'running' || state.kind === 'spaced'} onClick={start}>
        {t('call_test_button')}
      </button>
      <p role="status" aria-live="polite" class="call-test__result">
        {state.kind === 'running' && (state.waiting ? t('call_test_waiting') : callTestProgressText(state.progress, i18n))}
        {state.kind === 'done' && callTestText(judgeCallTest(state.result), i18n)}
        {state.kind === 'spaced' && state.last !== undefined && (
          <>
            {callTestText(judgeCallTest(state.last), i18n)}
            <br />
          </>
        )}
        {state.kind === 'spaced' && t('call_test_spaced', i18n.format.ms(Math.ceil(Math.max(0, state.until - Date.now()) / 1000) * 1000))}
      </p>
      {state.kind === 'failed' && (
        <div role="alert" class="error">
          <p>{t('call_test_error')}</p>
          <TechnicalDetails text={state.message} />
        </div>
      )}
      <p class="muted small">{t('call_test_note')}</p>
    </section>
  );
}
