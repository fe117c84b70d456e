// The crowd view's reading of collector stats: validated shape, one line per published app.
import { describe, expect, it } from 'vitest';
import { crowdLineFor, parseCrowdStats } from '../../src/core/crowd';

const stats = {
  cc: 'MA',
  asn: 36903,
  days: 7,
  apps: [{ appId: 'whatsapp', total: 120, works: 10, degraded: 10, blocked: 100, unknown: 0 }],
  suppressed: 3,
};

describe('crowd view', () => {
  it('reads the share of blocked verdicts for an app the collector published', () => {
    const parsed = parseCrowdStats(stats);
    expect(parsed && crowdLineFor(parsed, 'whatsapp')).toEqual({ days: 7, total: 120, blockedPct: (100 * 100) / 120 });
  });

  it('has no line for an app below the publication threshold', () => {
    const parsed = parseCrowdStats(stats);
    expect(parsed && crowdLineFor(parsed, 'signal')).toBeUndefined();
  });

  it('refuses statistics of another shape', () => {
    expect(parseCrowdStats({ days: 7, apps: [{ appId: 'x', total: -1 }] })).toBeNull();
    expect(parseCrowdStats('nope')).toBeNull();
  });
});
