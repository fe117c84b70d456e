// The call test's words: plain sentences about the path to our relay, never about an app, in en, fr and ar.
import { describe, expect, it } from 'vitest';
import type { CallTestOutcome } from '../../src/core/call-test';
import type { CallTest } from '../../src/core/call-test-result';
import { callTestProgressText, callTestText, quickCallText } from '../../src/ui/call-test-text';
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
    [
      { kind: 'handshake-lost', transports: ['udp'], then: { kind: 'stays-up', lossPct: 0, transport: 'tcp' } },
      "Calls could not connect over UDP: our relay answered, but the call's set-up kept being lost or cut (heavy packet loss, or a filter that stops calls at key exchange). A call path to our relay stays up (0% lost, over TCP)",
    ],
    [
      // What the fallback showed is said, a worse one too.
      { kind: 'handshake-lost', transports: ['udp'], then: { kind: 'drops', afterS: 5 } },
      "Calls could not connect over UDP: our relay answered, but the call's set-up kept being lost or cut (heavy packet loss, or a filter that stops calls at key exchange). Calls connect, then drop after ≈ 5 s: something on the way cut the call path to our relay",
    ],
    [
      { kind: 'handshake-lost', transports: ['udp', 'tls'] },
      "Calls could not connect over UDP and TLS: our relay answered, but the call's set-up kept being lost or cut (heavy packet loss, or a filter that stops calls at key exchange).",
    ],
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

describe('a lost handshake in every language', () => {
  it('names both transports and no app', () => {
    for (const language of ['en', 'fr', 'ar'] as const) {
      const text = callTestText({ kind: 'handshake-lost', transports: ['udp'], then: { kind: 'stays-up', transport: 'tls' } }, localeI18n(language));
      expect(text).toMatch(/UDP.*TLS/s);
      expect(text).not.toMatch(/WhatsApp|Signal|Telegram|call_test_/);
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

describe('quickCallText', () => {
  const clean = { sent: 99, received: 99, lossPct: 0, stalls: 0 };
  const window = (over: Partial<CallTest>): CallTest => ({ durationMs: 2000, tried: ['udp'], transport: 'udp', outgoing: clean, incoming: clean, ...over });

  it('says the window’s length and what it showed, about our relay only', () => {
    expect(quickCallText(window({}), en)).toBe('A 2-second test call through our relay: no loss (over UDP)');
    expect(quickCallText(window({ transport: 'tls', outgoing: { ...clean, lossPct: 1.5 } }), en)).toBe('A 2-second test call through our relay: 1.5% lost (over TLS)');
    expect(quickCallText(window({ outgoing: { ...clean, received: 60, lossPct: 40 } }), en)).toBe(
      'A 2-second test call through our relay: audio would break up, 40% of the packets lost',
    );
    expect(quickCallText(window({ outgoing: { sent: 5, received: 5, stalls: 0 }, incoming: { sent: 5, received: 5, stalls: 0 } }), en)).toBe(
      'A 2-second test call through our relay: it stays up (over UDP)',
    );
  });

  it('has the words in French and Arabic too, with the figures', () => {
    for (const language of ['fr', 'ar'] as const) {
      const text = quickCallText(window({ outgoing: { ...clean, received: 60, lossPct: 40 } }), localeI18n(language));
      expect(text).not.toMatch(/quick_call|popup_quick_call|WhatsApp/);
      expect(text).toMatch(/2/);
      expect(text).toMatch(/40/);
    }
  });
});
