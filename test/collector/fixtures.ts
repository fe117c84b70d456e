// Shared test data for the collector suites: a valid shared report, a small valid catalog, a fake geo table.
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../src/core/catalog';
import type { SharedReport } from '../../src/core/shared-report';
import { createStaticGeo } from '../../src/collector/geo';

/** The collector's clock in these tests; reports carry the hour it falls in. */
export const NOW = new Date('2026-06-18T14:23:45.678Z');
export const HOUR = '2026-06-18T14:00:00Z';

/** Documentation-range addresses (RFC 5737 / 3849) plus loopback, each mapped to a network. */
export const ADDRESSES = {
  morocco: '127.0.0.1',
  algeria: '203.0.113.7',
  france: '2001:db8::77',
  unknown: '198.51.100.9',
} as const;

export const geo = createStaticGeo({
  [ADDRESSES.morocco]: { cc: 'MA', asn: 36903 },
  [ADDRESSES.algeria]: { cc: 'DZ', asn: 36947 },
  [ADDRESSES.france]: { cc: 'FR', asn: 3215 },
});

export function sharedReport(overrides: Partial<SharedReport> = {}): SharedReport {
  return {
    schema: 1,
    id: randomUUID(),
    hour: HOUR,
    extensionVersion: '0.1.0',
    catalogVersion: '2026.06.18',
    browser: { family: 'chrome', major: 137 },
    apps: [
      { appId: 'whatsapp', verdict: 'works', confidence: 'high', messaging: 'reachable', calls: 'reachable', reasons: [] },
      {
        appId: 'signal',
        verdict: 'blocked',
        confidence: 'medium',
        messaging: 'blocked',
        calls: 'blocked',
        reasons: ['TLS_INTERFERENCE'],
      },
    ],
    overall: { verdict: 'degraded', confidence: 'medium', reasons: ['PARTIAL'] },
    probes: [
      { kind: 'http', targetId: 'whatsapp-web', outcome: 'reachable', ms: 120 },
      { kind: 'http', targetId: 'signal-chat', outcome: 'failed', failure: 'connection_reset', ms: 40 },
      { kind: 'ice', targetId: 'whatsapp-relay-udp', transport: 'udp', outcome: 'filtered', evidence: 'deadline', ms: 3000 },
      {
        kind: 'ice',
        targetId: 'stun-control-1',
        transport: 'udp',
        outcome: 'reachable',
        evidence: 'server-error',
        errorCode: 401,
        ms: 50,
      },
    ],
    quality: { rttMs: 42, jitterMs: 3, lossPct: 0.5, mos: 4.2 },
    nat: 'endpoint-independent',
    ...overrides,
  };
}

export const catalog: Catalog = {
  version: '2026.06.18',
  controls: {
    http: [{ id: 'control-204', url: 'https://example.org/generate_204', source: 'https://example.org/' }],
    stun: [
      { id: 'stun-control-1', url: 'stun:stun.example.org:3478', source: 'https://example.org/' },
      { id: 'stun-control-2', url: 'stun:stun.example.net:3478', source: 'https://example.net/' },
    ],
  },
  apps: [
    {
      id: 'whatsapp',
      name: 'WhatsApp',
      signalling: [{ id: 'whatsapp-web', url: 'https://web.whatsapp.com/', source: 'https://faq.whatsapp.com/' }],
      media: [{ id: 'whatsapp-relay-udp', url: 'stun:relay.whatsapp.example:3478', source: 'https://faq.whatsapp.com/' }],
      transports: ['udp', 'tcp'],
      udpPorts: [3478],
      mediaConfidence: 'low',
      sources: ['https://faq.whatsapp.com/'],
    },
    {
      id: 'signal',
      name: 'Signal',
      signalling: [{ id: 'signal-chat', url: 'https://chat.signal.org/', source: 'https://signal.org/' }],
      media: [],
      transports: ['udp'],
      udpPorts: [],
      mediaConfidence: 'low',
      sources: ['https://signal.org/'],
    },
  ],
};

/** A moment in the day after NOW, late enough that NOW's day is published. */
export const NEXT_DAY = new Date('2026-06-19T01:00:00Z');
