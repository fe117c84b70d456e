// Small popup helpers: the export file name, the initial badge, and the Answer envelope check.
import { describe, expect, it } from 'vitest';
import { BADGE_HUES, badgeHue, initialOf } from '../../src/popup/app-badge';
import { reportFileName, reportJson } from '../../src/popup/report-file';
import { resultsPageUrl } from '../../src/popup/results-url';
import { isAnswer } from '../../src/ui/answer';
import { PeerConnectionLimitError } from '../../src/core/device-limit';
import { reasonKey, adviceKey, evidenceKey, failureKey } from '../../src/ui/report-text';

describe('reportFileName', () => {
  it('names the file after the check time without colons or milliseconds', () => {
    expect(reportFileName('2026-03-01T14:05:09.123Z')).toBe('can-i-call-2026-03-01T14-05-09Z.json');
  });
});

describe('resultsPageUrl', () => {
  it("is the collector origin's root in the popup's language, whatever path the setting holds", () => {
    expect(resultsPageUrl('https://collector.canicall.org', 'ar')).toBe('https://collector.canicall.org/?lang=ar');
    expect(resultsPageUrl('http://127.0.0.1:8787/v1/?x=1#y', 'fr')).toBe('http://127.0.0.1:8787/?lang=fr');
  });
});

describe('reportJson', () => {
  it('is indented JSON that parses back to the report', () => {
    const json = reportJson({ a: [1] });
    expect(JSON.parse(json)).toEqual({ a: [1] });
    expect(json).toContain('\n  "a"');
  });
});

describe('badges', () => {
  it('picks a stable colour in range per app id', () => {
    expect(badgeHue('whatsapp')).toBe(badgeHue('whatsapp'));
    for (const id of ['whatsapp', 'signal', 'teams', 'imo', '']) expect(badgeHue(id)).toBeLessThan(BADGE_HUES);
  });

  it('uses the first letter or digit of the name', () => {
    expect(initialOf('imo')).toBe('I');
    expect(initialOf('(Jitsi)')).toBe('J');
    expect(initialOf('واتساب')).toBe('و');
    expect(initialOf('')).toBe('?');
  });
});

describe('isAnswer', () => {
  it('accepts both answer shapes and nothing else', () => {
    expect(isAnswer({ ok: true, value: null })).toBe(true);
    expect(isAnswer({ ok: false, error: 'getState is not available in this build yet' })).toBe(true);
    expect(isAnswer({ ok: true })).toBe(false);
    expect(isAnswer({ ok: false, error: 3 })).toBe(false);
    expect(isAnswer(undefined)).toBe(false);
  });
});

describe('report codes to message keys', () => {
  it('lower-cases codes and maps dashed evidence names', () => {
    expect(reasonKey('UDP_BLOCKED_TCP_FALLBACK')).toBe('reason_udp_blocked_tcp_fallback');
    expect(adviceKey('TRY_VPN')).toBe('advice_try_vpn');
    expect(evidenceKey('server-error')).toBe('evidence_server_error');
  });

  it("says a check that met the browser's connection limit failed for that, not for a fault of the extension", () => {
    expect(failureKey(new PeerConnectionLimitError().message)).toBe('popup_failed_device_limit');
    expect(failureKey('judge threw: TypeError')).toBe('popup_failed');
    expect(failureKey(undefined)).toBe('popup_failed');
  });
});
