// Resource Timing phases: what a fresh TLS connection, a reused one and a failed request each yield.
import { describe, expect, it } from 'vitest';
import { timingOf, type ResourceTimingEntry } from '../../src/core/http-timing';

const fresh: ResourceTimingEntry = {
  domainLookupStart: 100,
  domainLookupEnd: 112,
  connectStart: 112,
  secureConnectionStart: 140,
  connectEnd: 190,
  requestStart: 191,
  responseStart: 250.4,
  nextHopProtocol: 'h2',
};

describe('timingOf', () => {
  it('splits a fresh TLS connection into DNS, TCP, TLS and time to first byte', () => {
    expect(timingOf(fresh)).toEqual({ dnsMs: 12, connectMs: 28, tlsMs: 50, ttfbMs: 59, protocol: 'h2' });
  });

  it('gives no connect or TLS time for a reused connection (connectStart equals connectEnd)', () => {
    const reused = { ...fresh, domainLookupStart: 100, domainLookupEnd: 100, connectStart: 100, secureConnectionStart: 0, connectEnd: 100 };
    expect(timingOf(reused)).toEqual({ dnsMs: 0, ttfbMs: 59, protocol: 'h2' });
  });

  it('gives nothing for a failed request, whose fields Chrome leaves at zero', () => {
    const failed = { domainLookupStart: 0, domainLookupEnd: 0, connectStart: 0, secureConnectionStart: 0, connectEnd: 0, requestStart: 0, responseStart: 0, nextHopProtocol: '' };
    expect(timingOf(failed)).toBeUndefined();
  });

  it('keeps HTTP/3, the one non-STUN proof that UDP works', () => {
    expect(timingOf({ ...fresh, nextHopProtocol: 'h3' })?.protocol).toBe('h3');
  });
});
