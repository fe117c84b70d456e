// The reasons table: the order reasons are reported in, their kinds, the advice they imply, and the codes the schemas accept.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { adviceForReasons, orderReasons, REASONS, ReasonSchema, reasonKind } from '../../src/core/reasons';
import { SharedAppVerdictSchema } from '../../src/core/shared-report';

describe('orderReasons', () => {
  it('puts the gates first, causes before quality findings, and notes last, without repeats', () => {
    expect(orderReasons(['MEDIA_INFERRED', 'LOSSY', 'RELAY_UNREACHABLE', 'MEDIA_INFERRED', 'OFFLINE'])).toEqual([
      'OFFLINE',
      'RELAY_UNREACHABLE',
      'LOSSY',
      'MEDIA_INFERRED',
    ]);
  });

  it('keeps every reason: the order is the table itself', () => {
    expect(orderReasons([...REASONS].reverse())).toEqual(REASONS);
  });
});

describe('adviceForReasons', () => {
  it('gives advice in the order of the reasons that call for it, each once', () => {
    expect(adviceForReasons(['DNS_TAMPERED', 'CONNECTION_RESET', 'HIGH_LATENCY'])).toEqual(['TRY_OTHER_DNS', 'TRY_VPN', 'TRY_OTHER_NETWORK', 'PREFER_AUDIO_ONLY']);
  });

  it('gives none for notes about how an app was judged', () => {
    expect(adviceForReasons(['SYMMETRIC_NAT', 'MEDIA_INFERRED', 'MEDIA_REFLECTED'])).toEqual([]);
  });
});

describe('reasonKind', () => {
  it('tells quality findings and notes from causes', () => {
    for (const reason of ['LOSSY', 'HIGH_LATENCY', 'HIGH_JITTER', 'SLOW_LINK'] as const) expect(reasonKind(reason), reason).toBe('quality');
    expect(reasonKind('LOCAL_INTERFERENCE')).toBe('note');
    expect(reasonKind('UDP_BLOCKED_TCP_FALLBACK')).toBe('cause');
  });
});

describe('retired codes', () => {
  // APP_RETIRED was in the vocabulary from the first engine but never emitted; it is gone, not tolerated.
  it('refuses a reason the table does not hold, in the report and in a shared report', () => {
    expect(v.safeParse(ReasonSchema, 'APP_RETIRED').success).toBe(false);
    const shared = { appId: 'skype', verdict: 'blocked', confidence: 'low', messaging: 'unknown', calls: 'unknown', reasons: ['APP_RETIRED'] };
    expect(v.safeParse(SharedAppVerdictSchema, shared).success).toBe(false);
    expect(v.safeParse(SharedAppVerdictSchema, { ...shared, reasons: ['RELAY_UNREACHABLE'] }).success).toBe(true);
  });
});
