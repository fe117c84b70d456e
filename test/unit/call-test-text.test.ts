// The call test's words: plain sentences about the path to our relay, never about an app, in en, fr and ar.
import { describe, expect, it } from 'vitest';
import type { CallTestOutcome } from '../../src/core/call-test';
import { callTestProgressText, callTestText } from '../../src/ui/call-test-text';
import { localeI18n } from './fixtures/locale-i18n';

const en = localeI18n('en');

describe('callTestText', () => {
  it.each<[CallTestOutcome, string]>([
    [{ kind: 'drops', afterS: 4.9 }, 'Calls connect, then drop after ≈ 4.9 s: something on the way cut the call path to our relay'],
    [{ kind: 'breaks-up', lossPct: 48, direction: 'outgoing' }, 'Audio will break up: 48% of the packets on a call path to our relay were lost'],
    [{ kind: 'stays-up', lossPct: 0, transport: 'udp' }, 'A call path to our relay stays up (0% lost, over UDP)'],
    [{ kind: 'stays-up', transport: 'tls' }, 'A call path to our relay stays up (over TLS)'],
    [{ kind: 'no-path' }, 'No call path to our relay: it could not be reached over UDP, TLS or TCP'],
    [{ kind: 'lost', afterS: 3 }, 'The connection to our relay was lost after ≈ 3 s: your connection may have dropped'],
    [{ kind: 'freezes', stalls: 4 }, 'Audio will freeze: a call path to our relay stalled 4 times'],
  ])('%j', (outcome, text) => {
    expect(callTestText(outcome, en)).toBe(text);
  });

  it('never names an app, in any language', () => {
    const outcomes: CallTestOutcome[] = [
      { kind: 'drops', afterS: 5 },
      { kind: 'stays-up', lossPct: 0.5, transport: 'udp' },
      { kind: 'breaks-up', lossPct: 12, direction: 'incoming' },
    ];
    for (const language of ['en', 'fr', 'ar'] as const) {
      for (const outcome of outcomes) {
        const text = callTestText(outcome, localeI18n(language));
        expect(text).not.toMatch(/WhatsApp|Signal|Telegram|call_test_/);
        expect(text).toMatch(/\d/);
      }
    }
  });
});

describe('callTestProgressText', () => {
  it('says it is connecting, then the seconds done and the loss so far', () => {
    expect(callTestProgressText(null, en)).toBe('Setting up a call path to our relay…');
    expect(callTestProgressText({ elapsedMs: 6_400, durationMs: 15_000, transport: 'udp' }, en)).toBe('Testing a call through our relay: 6 of 15 s');
    expect(callTestProgressText({ elapsedMs: 6_400, durationMs: 15_000, transport: 'udp', lossPct: 2.5 }, en)).toBe(
      'Testing a call through our relay: 6 of 15 s, 2.5% of packets lost so far',
    );
  });
});
