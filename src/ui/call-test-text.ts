// Says a call test's outcome (src/core/call-test.ts) in the person's language: always about the path to our relay.
import { judgeCallTest, type CallTestOutcome, type CallTestProgress } from '../core/call-test';
import type { CallTest } from '../core/call-test-result';
import type { Transport } from '../core/ice-url';
import type { I18n } from './i18n-create';

type Say = Pick<I18n, 't' | 'format'>;

const TRANSPORT_NAME: Record<Transport, string> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

export function callTestText(outcome: CallTestOutcome, { t, format }: Say): string {
  switch (outcome.kind) {
    case 'no-path':
      return t('call_test_no_path');
    case 'handshake-lost': {
      const lost = t('call_test_handshake_lost', format.list(outcome.transports.map((transport) => TRANSPORT_NAME[transport])));
      return outcome.then === undefined ? lost : `${lost} ${callTestText(outcome.then, { t, format })}`;
    }
    case 'drops':
      return t('call_test_drops', format.number(outcome.afterS));
    case 'lost':
      return t('call_test_lost', format.number(outcome.afterS));
    case 'breaks-up':
      return t('call_test_breaks_up', format.percent(outcome.lossPct));
    case 'freezes':
      return t('call_test_freezes', format.number(outcome.stalls));
    case 'stays-up':
      return outcome.lossPct === undefined
        ? t('call_test_stays_up_plain', TRANSPORT_NAME[outcome.transport])
        : t('call_test_stays_up', format.percent(outcome.lossPct), TRANSPORT_NAME[outcome.transport]);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown call test outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/** The live line: seconds done of the whole, and the loss so far once there is a figure. */
export function callTestProgressText(progress: CallTestProgress | null, { t, format }: Say): string {
  if (progress === null) return t('call_test_connecting');
  const done = format.number(Math.min(progress.durationMs, Math.floor(progress.elapsedMs / 1000) * 1000) / 1000);
  const total = format.number(progress.durationMs / 1000);
  return progress.lossPct === undefined
    ? t('call_test_running', done, total)
    : t('call_test_running_loss', done, total, format.percent(progress.lossPct));
}

/** A check's quick window (quick-call.ts) as one line of the connection details: its length, then what it showed. */
export function quickCallText(test: CallTest, say: Say): string {
  return say.t('popup_quick_call', say.format.number(test.durationMs / 1000), quickOutcomeText(judgeCallTest(test), say));
}

function quickOutcomeText(outcome: CallTestOutcome, { t, format }: Say): string {
  switch (outcome.kind) {
    case 'no-path':
      return t('quick_call_no_path');
    case 'handshake-lost':
      return t('quick_call_handshake_lost', format.list(outcome.transports.map((transport) => TRANSPORT_NAME[transport])));
    case 'drops':
      return t('quick_call_drops', format.number(outcome.afterS));
    case 'lost':
      return t('quick_call_lost', format.number(outcome.afterS));
    case 'breaks-up':
      return t('quick_call_breaks_up', format.percent(outcome.lossPct));
    case 'freezes':
      return t('quick_call_freezes', format.number(outcome.stalls));
    case 'stays-up': {
      const over = TRANSPORT_NAME[outcome.transport];
      if (outcome.lossPct === undefined) return t('quick_call_stays_up_plain', over);
      return outcome.lossPct === 0 ? t('quick_call_no_loss', over) : t('quick_call_loss', format.percent(outcome.lossPct), over);
    }
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown call test outcome ${JSON.stringify(unknown)}`);
    }
  }
}
