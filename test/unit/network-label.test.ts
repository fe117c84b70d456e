// The name a person gives a network: what it may be, how a stored check is renamed without losing anything, and which name is offered next.
import { describe, expect, it } from 'vitest';
import { readNetworkLabel } from '../../src/core/network-label';
import { relabel, suggestedNetworkLabel, withNetworkLabel } from '../../src/core/network-label-history';
import { parseReport, type Report } from '../../src/core/report';
import { sampleReport } from './fixtures/sample-report';

const ids = ['0b7e1c2a-4d5f-4a6b-8c7d-9e0f1a2b3c4d', '1c8f2d3b-5e6a-4b7c-9d8e-0f1a2b3c4d5e', '2d9a3e4c-6f7b-4c8d-ae9f-1a2b3c4d5e6f'];

function check(index: number, overrides: Partial<Report> = {}): Report {
  return sampleReport({ id: ids[index] ?? '', startedAt: `2026-03-0${index + 1}T10:00:00.000Z`, finishedAt: undefined, ...overrides });
}

describe('readNetworkLabel', () => {
  it('trims what was typed, and reads an empty name as "no name"', () => {
    expect(readNetworkLabel('  Home Wi-Fi \n')).toEqual({ ok: true, label: 'Home Wi-Fi' });
    expect(readNetworkLabel('   ')).toEqual({ ok: true, label: undefined });
  });

  it('takes 40 characters, counted as characters: Arabic and emoji have the same room as Latin', () => {
    expect(readNetworkLabel('a'.repeat(40))).toEqual({ ok: true, label: 'a'.repeat(40) });
    expect(readNetworkLabel('ش'.repeat(40)).ok).toBe(true);
    // 40 emoji are 80 UTF-16 units.
    expect(readNetworkLabel('📶'.repeat(40)).ok).toBe(true);
    expect(readNetworkLabel('a'.repeat(41))).toMatchObject({ ok: false, problem: 'too_long' });
    expect(readNetworkLabel('📶'.repeat(41))).toMatchObject({ ok: false, problem: 'too_long' });
  });

  it('refuses line breaks, control characters and bidi overrides inside the name', () => {
    for (const typed of ['Home\nWi-Fi', 'Home\tWi-Fi', 'Home\u0000', 'Caf\u0007e', 'Office\u2028Floor 2', '\u202Eelif', 'a\u2066b']) {
      expect(readNetworkLabel(typed), JSON.stringify(typed)).toMatchObject({ ok: false, problem: 'control' });
    }
    expect(readNetworkLabel('واي فاي المنزل').ok).toBe(true);
    expect(readNetworkLabel('Café « 2e étage », 5 GHz').ok).toBe(true);
  });
});

describe('the report schema', () => {
  it('validates a report with a name, and refuses one whose stored name breaks the rules', () => {
    expect(parseReport(withNetworkLabel(sampleReport(), 'Home Wi-Fi'))).toMatchObject({ ok: true, report: { networkLabel: 'Home Wi-Fi' } });
    for (const bad of ['', ' Home', 'a'.repeat(41), 'Home\nWi-Fi']) {
      const parsed = parseReport({ ...sampleReport(), networkLabel: bad });
      expect(parsed.ok, JSON.stringify(bad)).toBe(false);
      expect(!parsed.ok && parsed.error).toContain('networkLabel');
    }
  });

  it('removes the name when given none, leaving no empty field behind', () => {
    const unnamed = withNetworkLabel(withNetworkLabel(sampleReport(), 'Office'), undefined);
    expect('networkLabel' in unnamed).toBe(false);
    expect(parseReport(unnamed).ok).toBe(true);
  });
});

describe('relabel', () => {
  const older = check(0);
  const newer = check(1);
  const stored = { current: newer, history: [newer, older] };

  it('names the check in the history and, when it is the current one, there too', () => {
    const change = relabel(stored, newer.id, ' Mobile data ');
    expect(change).toMatchObject({ ok: true, report: { id: newer.id, networkLabel: 'Mobile data' } });
    if (!change.ok) return;
    expect(change.stored.current?.networkLabel).toBe('Mobile data');
    expect(change.stored.history.map((r) => r.networkLabel)).toEqual(['Mobile data', undefined]);
    // Everything else about the check is as it was.
    expect(withNetworkLabel(change.report, undefined)).toEqual(newer);
  });

  it('names an older check in the history only, leaving the current one alone', () => {
    const change = relabel(stored, older.id, 'Office');
    expect(change.ok && change.stored.current).toBe(newer);
    expect(change.ok && change.stored.history.map((r) => r.networkLabel)).toEqual([undefined, 'Office']);
  });

  it('refuses a bad name or an unknown or running check with a clear error, changing nothing', () => {
    expect(relabel(stored, newer.id, 'x'.repeat(41))).toEqual({ ok: false, error: 'invalid network name: a network name has at most 40 characters' });
    expect(relabel(stored, newer.id, 'Home\nWi-Fi')).toEqual({ ok: false, error: 'invalid network name: a network name has no line break or control character' });
    expect(relabel(stored, ids[2] ?? '', 'Home')).toEqual({ ok: false, error: `no stored check has the id ${ids[2] ?? ''}` });
    const running = check(2, { status: 'running' });
    expect(relabel({ current: running, history: stored.history }, running.id, 'Home')).toMatchObject({ ok: false, error: expect.stringContaining('still running') });
    expect(stored.history.every((r) => r.networkLabel === undefined)).toBe(true);
  });
});

describe('suggestedNetworkLabel', () => {
  const wifi = { connection: { type: 'wifi' as const } };
  const cellular = { connection: { type: 'cellular' as const } };

  it('offers the newest name given on the same kind of link', () => {
    const history = [check(1, { ...cellular, networkLabel: 'Mobile data' }), check(0, { ...wifi, networkLabel: 'Home Wi-Fi' })];
    expect(suggestedNetworkLabel(check(2, wifi), history)).toBe('Home Wi-Fi');
    expect(suggestedNetworkLabel(check(2, cellular), history)).toBe('Mobile data');
    expect(suggestedNetworkLabel(check(2, wifi), [check(0, { ...wifi, networkLabel: 'Home' }), check(1, { ...wifi, networkLabel: 'Office' })])).toBe('Office');
  });

  it('offers nothing when the browser does not tell the link, for another kind of link, or for a check already named', () => {
    const history = [check(0, { ...wifi, networkLabel: 'Home Wi-Fi' })];
    expect(suggestedNetworkLabel(check(2), history)).toBeUndefined();
    expect(suggestedNetworkLabel(check(2, { connection: { type: 'ethernet' } }), history)).toBeUndefined();
    expect(suggestedNetworkLabel(check(2, { ...wifi, networkLabel: 'Café' }), history)).toBeUndefined();
    // An unnamed check on no known link never takes the name of another on no known link.
    expect(suggestedNetworkLabel(check(2), [check(0, { networkLabel: 'Home Wi-Fi' })])).toBeUndefined();
  });

  it('offers only names given to earlier checks, never its own old copy or a later check', () => {
    const shown = check(1, wifi);
    expect(suggestedNetworkLabel(shown, [check(2, { ...wifi, networkLabel: 'Later' }), { ...shown, networkLabel: 'Itself' }])).toBeUndefined();
  });
});
