// The kind of link from navigator.connection.type: only kinds a person can compare, nothing made up.
import { describe, expect, it } from 'vitest';
import { anonymise } from '../../src/core/anonymise';
import { connectionTypeOf } from '../../src/core/connection-type';
import { parseReport } from '../../src/core/report';
import { sampleReport } from './fixtures/sample-report';

describe('connectionTypeOf', () => {
  it('keeps the kinds that name a link', () => {
    for (const type of ['wifi', 'cellular', 'ethernet', 'bluetooth', 'wimax', 'other'] as const) expect(connectionTypeOf(type)).toBe(type);
  });

  it('leaves out what says nothing: absent API, "unknown", "none", "mixed", a speed estimate', () => {
    for (const raw of [undefined, null, 'unknown', 'none', 'mixed', '4g', 42]) expect(connectionTypeOf(raw)).toBeUndefined();
  });

  it('stays on the device: a report with it validates, and the shared report does not carry it', () => {
    const report = { ...sampleReport(), connection: { type: 'wifi' as const } };
    expect(parseReport(report).ok).toBe(true);
    expect(JSON.stringify(anonymise(report, { id: crypto.randomUUID() }))).not.toContain('wifi');
  });
});
