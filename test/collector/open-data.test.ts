// The open data's suppression: no export publishes a cell, a country or a network with fewer than 5 reports.
import { describe, expect, it } from 'vitest';
import { aggregatesCsv, aggregatesJsonl, namingRule } from '../../src/collector/open-data';
import type { DayCell } from '../../src/collector/store';
import { sharedReport } from './fixtures';

const cell = (asn: number, appId: string, works: number, blocked: number): DayCell => ({
  day: '2026-06-18', cc: 'MA', asn, appId, works, degraded: 0, blocked, unknown: 0,
});

describe('open data suppression', () => {
  const cells = [cell(36903, 'signal', 1, 3), cell(36903, 'whatsapp', 2, 3), cell(6713, 'whatsapp', 9, 0)];

  it('the CSV lists only cells of 5 or more, with a header', () => {
    expect(aggregatesCsv(cells, 5)).toBe(
      'day,cc,asn,app,total,works,degraded,blocked,unknown\r\n2026-06-18,MA,36903,whatsapp,5,2,0,3,0\r\n2026-06-18,MA,6713,whatsapp,9,9,0,0,0\r\n',
    );
  });

  it('the JSON Lines list only cells of 5 or more', () => {
    const rows = aggregatesJsonl(cells, 5).trim().split('\n').map((l) => JSON.parse(l) as { asn: number; app: string; total: number });
    expect(rows.map((r) => [r.asn, r.app, r.total])).toEqual([
      [36903, 'whatsapp', 5],
      [6713, 'whatsapp', 9],
    ]);
    expect(aggregatesJsonl([cell(1, 'x', 2, 2)], 5)).toBe('');
  });

  it('a report names its network and country only when they sent 5 or more that day, and never carries its upload id', () => {
    const name = namingRule(
      [
        { cc: 'MA', asn: 36903, reports: 5 },
        { cc: 'MA', asn: 6713, reports: 2 },
        { cc: 'DZ', asn: 36947, reports: 4 },
        { cc: 'ZZ', asn: 0, reports: 9 },
      ],
      5,
    );
    const report = sharedReport();
    expect(name('2026-06-18', { cc: 'MA', asn: 36903, body: report })).toMatchObject({ cc: 'MA', asn: 36903 });
    expect(name('2026-06-18', { cc: 'MA', asn: 6713, body: report })).toMatchObject({ cc: 'MA', asn: null });
    expect(name('2026-06-18', { cc: 'DZ', asn: 36947, body: report })).toMatchObject({ cc: null, asn: null });
    expect(name('2026-06-18', { cc: 'ZZ', asn: 0, body: report })).toMatchObject({ cc: null, asn: null });
    expect(JSON.stringify(name('2026-06-18', { cc: 'MA', asn: 36903, body: report }))).not.toContain(report.id);
  });
});
