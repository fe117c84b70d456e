// The check's quick call window, pure part: when it runs beside the app probes, its budgets, what the report keeps.
import { describe, expect, it } from 'vitest';
import type { CallTest } from '../../src/core/call-test-result';
import { SLOW_LINK_QUEUE_MS } from '../../src/core/deadlines';
import { QUICK_CALL_MS, QUICK_CONNECT, QUICK_DRAIN, quickCallFits, quickCallKept, quickCallLimitMs, quickCallWindow } from '../../src/core/quick-call';

describe('quickCallFits', () => {
  it('runs beside the app probes on a link that is not slow, a busy CPU’s delay included', () => {
    expect(quickCallFits(20, 25)).toBe(true);
    expect(quickCallFits(4, 200)).toBe(true);
    expect(quickCallFits(150, 150 + SLOW_LINK_QUEUE_MS - 1)).toBe(true);
  });

  it('never on a slow link, which the app probes queue (its two voice streams would fill it and measure themselves)', () => {
    expect(quickCallFits(150, 150 + SLOW_LINK_QUEUE_MS)).toBe(false);
    expect(quickCallFits(40, 700)).toBe(false);
  });

  it('never where no sample tells: no idle RTT or no loaded sample', () => {
    expect(quickCallFits(undefined, 30)).toBe(false);
    expect(quickCallFits(30, undefined)).toBe(false);
  });
});

describe('quickCallWindow', () => {
  it('gives a quick path the floors and a long one more, up to the ceilings', () => {
    expect(quickCallWindow(2)).toEqual({ connectMs: QUICK_CONNECT.floor, drainMs: QUICK_DRAIN.floor });
    expect(quickCallWindow(150)).toEqual({ connectMs: 2500, drainMs: 450 });
    expect(quickCallWindow(600)).toEqual({ connectMs: QUICK_CONNECT.ceiling, drainMs: QUICK_DRAIN.ceiling });
  });

  it('takes the ceilings without an RTT', () => {
    expect(quickCallWindow(undefined)).toEqual({ connectMs: QUICK_CONNECT.ceiling, drainMs: QUICK_DRAIN.ceiling });
    expect(quickCallWindow(Number.NaN)).toEqual({ connectMs: QUICK_CONNECT.ceiling, drainMs: QUICK_DRAIN.ceiling });
  });

  it('bounds the whole window: every budget spent is still within about 6 s', () => {
    expect(quickCallLimitMs(quickCallWindow(undefined), 250)).toBe(QUICK_CONNECT.ceiling + QUICK_CALL_MS + QUICK_DRAIN.ceiling + 250);
    expect(quickCallLimitMs(quickCallWindow(undefined), 250)).toBeLessThanOrEqual(6_000);
  });
});

describe('quickCallKept', () => {
  const direction = { sent: 99, received: 99, lossPct: 0, stalls: 0 };

  it('keeps a window that carried packets, as measured', () => {
    const test: CallTest = { durationMs: 2000, tried: ['udp'], transport: 'udp', connectMs: 180, outgoing: direction, incoming: direction };
    expect(quickCallKept(test)).toEqual(test);
  });

  it('keeps nothing when the relay gave no path within the budget: not measured, never "no path"', () => {
    expect(quickCallKept({ durationMs: 2000, tried: ['udp', 'tls'] })).toBeUndefined();
  });
});
