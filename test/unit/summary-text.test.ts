// "Copy summary": the headline, each app's verdict and the time in the person's language, and never an address.
import { describe, expect, it } from 'vitest';
import { buildRows } from '../../src/popup/app-rows';
import { summaryText } from '../../src/popup/summary-text';
import { appVerdict, sampleReport } from './fixtures/sample-report';
import { localeI18n } from './fixtures/locale-i18n';

const catalog = [
  { id: 'whatsapp', name: 'WhatsApp' },
  { id: 'signal', name: 'Signal' },
  { id: 'teams', name: 'Microsoft Teams' },
  { id: 'viber', name: 'Viber' },
];
const nameOf = (id: string) => catalog.find((app) => app.id === id)?.name ?? id;

function summary(language: 'en' | 'ar' | 'fr', pinned: string[] = ['signal']) {
  const report = sampleReport({ apps: [...sampleReport().apps, appVerdict('viber', { reasons: ['MEDIA_INFERRED'] })] });
  return summaryText(report, buildRows(catalog, report, pinned), pinned, nameOf, localeI18n(language));
}

describe('summaryText', () => {
  it('starts with the headline for the pinned app, then one line per app with its verdict in words', () => {
    const lines = summary('en').split('\n');
    expect(lines[0]).toMatch(/^Can I Call\? check of /);
    expect(lines[1]).toBe('Signal calls are blocked on this network — WhatsApp works');
    expect(lines).toContain('Voice calls: good · Video calls: good');
    expect(lines).toContain('• Signal: Blocked (Your network gives a false address for this app)');
    expect(lines).toContain("• WhatsApp: Works (WhatsApp's servers answered)");
    expect(lines).toContain('• Viber: Probably works (Not tested directly)');
  });

  it('is written in the person\'s language', () => {
    expect(summary('fr')).toContain('Les appels Signal sont bloqués sur ce réseau');
    expect(summary('ar')).toContain('مكالمات Signal محجوبة على هذه الشبكة');
  });

  it('holds no address, target or raw code from the observations', () => {
    const text = summary('en', []);
    const report = sampleReport();
    for (const probe of report.observations.http) if (probe.ip !== undefined) expect(text).not.toContain(probe.ip);
    for (const id of ['whatsapp.web', 'signal.chat', 'chat.signal.org', 'connection_reset', 'generic_timeout_error']) expect(text).not.toContain(id);
  });
});
