// anonymise(): what a shared report keeps, and a property test that no address or candidate survives any report.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { anonymise, hourOf, isShareableId } from '../../src/core/anonymise';
import { FAILURES } from '../../src/core/failure';
import { ADVICE, REASONS } from '../../src/core/reasons';
import { parseReport, type AppVerdict, type Report } from '../../src/core/report';
import { SHARED_HOUR_PATTERN, SharedReportSchema, parseSharedReport } from '../../src/core/shared-report';
import { ENGINE_VERSION } from '../../src/core/verdict';

const LOCAL_ID = '3f2b8c1e-9a47-4d2b-8e6f-1c0a9b7d5e43';

function report(overrides: Partial<Report> = {}): Report {
  return {
    schema: 1,
    id: LOCAL_ID,
    status: 'done',
    startedAt: '2026-06-18T14:59:59.999Z',
    finishedAt: '2026-06-18T15:00:03.100Z',
    extensionVersion: '0.1.0',
    catalogVersion: '2026.06.18',
    browser: { family: 'firefox', major: 139 },
    baselineRttMs: 31.7,
    observations: {
      http: [
        {
          id: 'whatsapp-web',
          outcome: 'reachable',
          status: 200,
          ip: '157.240.1.53',
          ms: 123.4,
          timing: { dnsMs: 3, connectMs: 20, protocol: 'h2' },
        },
        {
          id: 'signal-chat',
          outcome: 'failed',
          failure: 'connection_reset',
          rawError: 'net::ERR_CONNECTION_RESET at 13.248.212.111:443',
          ms: 45,
        },
      ],
      ice: [
        {
          id: 'whatsapp-relay-udp',
          scheme: 'turn',
          transport: 'udp',
          port: 3478,
          outcome: 'reachable',
          evidence: 'server-error',
          errorCode: 401,
          ms: 64.9,
        },
        { id: 'stun-control-1', scheme: 'stun', transport: 'udp', port: 19302, outcome: 'filtered', evidence: 'deadline', ms: 2999 },
      ],
      dns: [{ targetId: 'whatsapp-web', host: 'web.whatsapp.com', system: 'public', doh: 'answers', verdict: 'consistent' }],
      nat: { mapping: 'address-dependent', answered: ['stun-control-1'], srflxCount: 2, ipv6: true, ms: 300 },
      rtt: { targetId: 'stun-control-1', samples: [30, 31, 35], medianMs: 31, jitterMs: 2.4 },
    },
    quality: { rttMs: 31.6, jitterMs: 2.44, lossPct: 1.25, r: 88.2, mos: 4.349, band: 'good' },
    apps: [
      {
        appId: 'whatsapp',
        verdict: 'works',
        confidence: 'high',
        messaging: 'reachable',
        calls: 'reachable',
        reasons: [],
        advice: [],
      },
      {
        appId: 'signal',
        verdict: 'blocked',
        confidence: 'medium',
        messaging: 'blocked',
        calls: 'unknown',
        reasons: ['CONNECTION_RESET', 'CONNECTION_RESET'],
        advice: ['TRY_VPN'],
      },
    ],
    overall: { verdict: 'degraded', confidence: 'medium', reasons: ['PARTIAL'], advice: ['USE_APP_THAT_WORKS'] },
    ...overrides,
  };
}

describe('anonymise', () => {
  it('keeps classified outcomes and drops addresses, ports, hosts, raw errors, timings and the local id', () => {
    const id = randomUUID();
    expect(anonymise(report(), { id })).toEqual({
      schema: 1,
      id,
      hour: '2026-06-18T14:00:00Z',
      extensionVersion: '0.1.0',
      catalogVersion: '2026.06.18',
      browser: { family: 'firefox', major: 139 },
      apps: [
        { appId: 'whatsapp', verdict: 'works', confidence: 'high', messaging: 'reachable', calls: 'reachable', reasons: [] },
        {
          appId: 'signal',
          verdict: 'blocked',
          confidence: 'medium',
          messaging: 'blocked',
          calls: 'unknown',
          reasons: ['CONNECTION_RESET'],
        },
      ],
      overall: { verdict: 'degraded', confidence: 'medium', reasons: ['PARTIAL'] },
      probes: [
        { kind: 'http', targetId: 'whatsapp-web', outcome: 'reachable', ms: 120, status: 200 },
        { kind: 'http', targetId: 'signal-chat', outcome: 'failed', failure: 'connection_reset', ms: 50 },
        {
          kind: 'ice',
          targetId: 'whatsapp-relay-udp',
          transport: 'udp',
          outcome: 'reachable',
          evidence: 'server-error',
          errorCode: 401,
          ms: 60,
        },
        { kind: 'ice', targetId: 'stun-control-1', transport: 'udp', outcome: 'filtered', evidence: 'deadline', ms: 3000 },
      ],
      quality: { rttMs: 32, jitterMs: 2, lossPct: 1.3, mos: 4.3 },
      nat: 'address-dependent',
      // What the engine reads beyond the probes, for the collector to judge again: the DNS comparison without its host name.
      evidence: {
        engine: ENGINE_VERSION,
        dns: [{ targetId: 'whatsapp-web', system: 'public', doh: 'answers', verdict: 'consistent' }],
        natAnswered: ['stun-control-1'],
        rtt: { targetId: 'stun-control-1', medianMs: 31, jitterMs: 2 },
      },
    });
  });

  it('shares nothing of the call test: its times and counts stay on the device', () => {
    const id = randomUUID();
    const direction = { sent: 750, received: 700, lossPct: 6.7, jitterMs: 3.1, stalls: 1, longestGapMs: 320, diedAtMs: 4_980 };
    const base = report();
    const withCallTest = report({
      observations: {
        ...base.observations,
        callTest: { durationMs: 15_000, tried: ['udp'], transport: 'udp', connectMs: 54_321, outgoing: direction, incoming: direction, control: 'alive' },
      },
    });
    expect(anonymise(withCallTest, { id })).toEqual(anonymise(base, { id }));
  });

  it('shares neither the name the person gave the network nor the kind of link: both stay on the device', () => {
    const id = randomUUID();
    const label = 'Home Wi-Fi of Amina';
    const named = report({ networkLabel: label, connection: { type: 'wifi' } });
    // A named report is a valid local report: the name is checked by the one report schema.
    expect(parseReport(named)).toMatchObject({ ok: true, report: { networkLabel: label } });
    const shared = anonymise(named, { id });
    expect(shared).toEqual(anonymise(report(), { id }));
    const text = JSON.stringify(shared);
    expect(text).not.toContain(label);
    expect(text).not.toMatch(/networkLabel|"connection"|wifi/);
    // And the collector would refuse a shared report that carried one.
    expect(parseSharedReport({ ...shared, networkLabel: label }).ok).toBe(false);
  });

  it('rounds the start time down to the hour in UTC, whatever offset it was written with', () => {
    expect(hourOf('2026-06-18T00:30:00+05:30')).toBe('2026-06-17T19:00:00Z');
    expect(hourOf('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z');
    expect(() => hourOf('yesterday')).toThrow(/startedAt/);
  });

  it('drops entries whose id is not a shareable catalog id, keeping the first of duplicate apps', () => {
    const base = report();
    const app: AppVerdict = {
      appId: 'x',
      verdict: 'works',
      confidence: 'high',
      messaging: 'reachable',
      calls: 'reachable',
      reasons: [],
      advice: [],
    };
    const shared = anonymise(
      report({
        apps: [
          { ...app, appId: 'stun.10.0.0.1' },
          { ...app, appId: 'WhatsApp' },
          { ...app, appId: 'a'.repeat(65) },
          { ...app, appId: 'whatsapp', verdict: 'works' },
          { ...app, appId: 'whatsapp', verdict: 'blocked' },
        ],
        observations: {
          ...base.observations,
          http: [
            { id: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', outcome: 'reachable', ms: 1 },
            { id: '2001:db8::1', outcome: 'reachable', ms: 1 },
            { id: 'ok-target', outcome: 'reachable', ms: 1 },
          ],
          ice: [],
        },
      }),
      { id: randomUUID() },
    );
    expect(shared.apps.map((a) => [a.appId, a.verdict])).toEqual([['whatsapp', 'works']]);
    expect(shared.probes.map((p) => p.targetId)).toEqual(['ok-target']);
    expect(isShareableId('stun-1.example')).toBe(true);
    expect(isShareableId('1.2.3.4')).toBe(false);
  });

  it('sends at most three parts of the extension version and "unknown" for anything that is not a version', () => {
    expect(anonymise(report({ extensionVersion: '1.2.3.4' }), { id: randomUUID() }).extensionVersion).toBe('1.2.3');
    expect(anonymise(report({ extensionVersion: '1.2 beta' }), { id: randomUUID() }).extensionVersion).toBe('unknown');
    expect(anonymise(report({ catalogVersion: 'https://x.example/c.json' }), { id: randomUUID() }).catalogVersion).toBe('unknown');
  });

  it('drops error codes that could be ports and caps durations that never ended', () => {
    const base = report();
    const probe = base.observations.ice[0];
    if (probe === undefined) throw new Error('fixture has an ICE probe');
    const shared = anonymise(
      report({
        observations: {
          ...base.observations,
          http: [],
          ice: [
            { ...probe, errorCode: 54_321, ms: Number.POSITIVE_INFINITY },
            { ...probe, id: 'b', errorCode: 701, ms: 12 },
          ],
        },
      }),
      { id: randomUUID() },
    );
    expect(shared.probes).toEqual([
      { kind: 'ice', targetId: 'whatsapp-relay-udp', transport: 'udp', outcome: 'reachable', evidence: 'server-error', ms: 30_000 },
      { kind: 'ice', targetId: 'b', transport: 'udp', outcome: 'reachable', evidence: 'server-error', errorCode: 701, ms: 10 },
    ]);
  });

  it('refuses an id that is not a fresh uuid v4, or is the local report id', () => {
    expect(() => anonymise(report(), { id: LOCAL_ID })).toThrow(/local report id/);
    expect(() => anonymise(report(), { id: 'not-a-uuid' })).toThrow(/uuid v4/);
    expect(() => anonymise(report(), { id: '3f2b8c1e-9a47-1d2b-8e6f-1c0a9b7d5e43' })).toThrow(/uuid v4/);
  });
});

describe('anonymise on arbitrary reports', () => {
  const ipv4 = fc.ipV4();
  const ipv6 = fc.ipV6();
  const ip = fc.oneof(ipv4, ipv6, fc.ipV4Extended());
  const port = fc.integer({ min: 1, max: 65_535 });
  const candidate = fc
    .tuple(ip, port, fc.constantFrom('host', 'srflx', 'relay'))
    .map(([addr, p, type]) => `candidate:842163049 1 udp 1677729535 ${addr} ${p} typ ${type} raddr 0.0.0.0 rport 0 generation 0`);
  const hostile = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    ip,
    candidate,
    fc.tuple(fc.string(), ip, port, fc.string()).map(([a, addr, p, b]) => `${a}${addr}:${p}${b}`),
    fc.tuple(ipv6, port).map(([addr, p]) => `[${addr}]:${p}`),
    ip.map((addr) => `https://relay.example/turn?token=abc&ip=${addr}`),
    fc.constantFrom('\u202ewhatsapp', 'a\u0000b', 'x\ud800', "x'); DROP TABLE reports;--"),
  );
  /** Catalog-shaped ids, some of which embed an address (digits and dots are in the id alphabet). */
  const id = fc.oneof(
    fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
    ipv4.map((addr) => `stun.${addr}`),
    ipv4,
    hostile,
  );
  const ms = fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constant(Number.POSITIVE_INFINITY));
  const failure = fc.option(fc.constantFrom(...FAILURES), { nil: undefined });
  const timestamp = fc
    .tuple(
      fc.date({ min: new Date('2000-01-02T00:00:00Z'), max: new Date('2099-12-30T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom('Z', '+05:30', '-08:00', '+00:00'),
    )
    .map(([d, zone]) => (zone === 'Z' ? d.toISOString() : d.toISOString().replace('Z', zone)));
  const version = fc.oneof(hostile, fc.stringMatching(/^\d{1,5}(\.\d{1,5}){0,3}$/), fc.constant('2026.06.18.2'));
  const reach = fc.constantFrom('reachable', 'partial', 'blocked', 'unknown' as const);
  const verdict = fc.constantFrom('works', 'degraded', 'blocked', 'unknown' as const);
  const confidence = fc.constantFrom('high', 'medium', 'low' as const);

  const arbitraryReport: fc.Arbitrary<Report> = fc.record(
    {
      schema: fc.constant(1 as const),
      id: fc.uuid(),
      status: fc.constantFrom('running', 'done', 'cancelled', 'failed' as const),
      startedAt: timestamp,
      finishedAt: fc.option(timestamp, { nil: undefined }),
      error: fc.option(hostile, { nil: undefined }),
      extensionVersion: version,
      catalogVersion: version,
      browser: fc.record({ family: fc.constantFrom('chrome', 'firefox' as const), major: fc.integer({ min: -5, max: 5000 }) }),
      baselineRttMs: fc.option(ms, { nil: undefined }),
      observations: fc.record(
        {
          http: fc.array(
            fc.record(
              {
                id,
                outcome: fc.constantFrom('reachable', 'failed' as const),
                status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
                failure,
                rawError: fc.option(hostile, { nil: undefined }),
                ip: fc.option(ip, { nil: undefined }),
                ms,
                timing: fc.option(fc.record({ dnsMs: ms, protocol: hostile }), { nil: undefined }),
              },
              { requiredKeys: ['id', 'outcome', 'ms'] },
            ),
            { maxLength: 8 },
          ),
          ice: fc.array(
            fc.record(
              {
                id,
                scheme: fc.constantFrom('stun', 'turn', 'turns' as const),
                transport: fc.constantFrom('udp', 'tcp', 'tls' as const),
                port,
                outcome: fc.constantFrom('reachable', 'unreachable', 'filtered' as const),
                evidence: fc.constantFrom('srflx', 'relay', 'server-error', 'error-701', 'deadline', 'gathering-complete' as const),
                errorCode: fc.option(fc.oneof(fc.integer({ min: -1000, max: 70_000 }), fc.double()), { nil: undefined }),
                failure,
                ms,
              },
              { requiredKeys: ['id', 'scheme', 'transport', 'port', 'outcome', 'evidence', 'ms'] },
            ),
            { maxLength: 8 },
          ),
          dns: fc.array(
            fc.record({
              targetId: id,
              host: hostile,
              system: fc.constantFrom('nxdomain', 'bogon', 'public', 'unknown' as const),
              doh: fc.constantFrom('answers', 'nxdomain', 'failed' as const),
              verdict: fc.constantFrom('consistent', 'dns_tampering', 'nxdomain', 'inconclusive' as const),
            }),
            { maxLength: 4 },
          ),
          nat: fc.option(
            fc.record({
              mapping: fc.constantFrom('endpoint-independent', 'address-dependent', 'multiple-egress', 'unknown' as const),
              answered: fc.array(id, { maxLength: 4 }),
              srflxCount: fc.nat(),
              ipv6: fc.boolean(),
              ms,
            }),
            { nil: undefined },
          ),
          rtt: fc.option(
            fc.record({ targetId: id, samples: fc.array(ms, { maxLength: 5 }), medianMs: ms, jitterMs: ms }),
            { nil: undefined },
          ),
        },
        { requiredKeys: ['http', 'ice', 'dns'] },
      ),
      quality: fc.option(
        fc.record(
          {
            rttMs: ms,
            jitterMs: ms,
            lossPct: fc.double({ min: 0, max: 100, noNaN: true }),
            r: fc.double({ noNaN: true }),
            mos: fc.double({ min: 1, max: 4.5, noNaN: true }),
            band: fc.constantFrom('good', 'fair', 'poor' as const),
          },
          { requiredKeys: ['rttMs', 'jitterMs', 'r', 'mos', 'band'] },
        ),
        { nil: undefined },
      ),
      apps: fc.array(
        fc.record({
          appId: id,
          verdict,
          confidence,
          messaging: reach,
          calls: reach,
          reasons: fc.array(fc.constantFrom(...REASONS), { maxLength: 30 }),
          advice: fc.array(fc.constantFrom(...ADVICE), { maxLength: 5 }),
        }),
        { maxLength: 20 },
      ),
      overall: fc.option(
        fc.record({
          verdict,
          confidence,
          reasons: fc.array(fc.constantFrom(...REASONS), { maxLength: 30 }),
          advice: fc.array(fc.constantFrom(...ADVICE), { maxLength: 5 }),
        }),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['schema', 'id', 'status', 'startedAt', 'extensionVersion', 'catalogVersion', 'browser', 'observations', 'apps'] },
  );

  /** Four dotted numbers not inside a longer number: catches IPv4 and IPv4-in-IPv6 wherever they sit. */
  const IPV4_LITERAL = /(?<!\d)(\d{1,3}\.){3}\d{1,3}(?!\d)/;

  function strings(value: unknown, out: string[] = []): string[] {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) for (const item of value) strings(item, out);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        out.push(key);
        strings(item, out);
      }
    }
    return out;
  }

  it('never lets an address or candidate through, never sends the local id, and always validates', () => {
    fc.assert(
      fc.property(arbitraryReport, fc.uuid({ version: 4 }), (r, id) => {
        fc.pre(id !== r.id.toLowerCase());
        const shared = anonymise(r, { id });
        expect(v.safeParse(SharedReportSchema, shared).success).toBe(true);
        const json = JSON.stringify(shared);
        expect(json).not.toMatch(IPV4_LITERAL);
        expect(json).not.toContain('candidate:');
        expect(json.toLowerCase()).not.toContain(r.id.toLowerCase());
        // Every IPv6 literal contains a colon, and the hour is the only string allowed one.
        for (const s of strings(shared)) {
          if (s.includes(':')) expect(s).toBe(shared.hour);
        }
        expect(shared.hour).toMatch(SHARED_HOUR_PATTERN);
        for (const field of [r.error, ...r.observations.http.flatMap((h) => [h.rawError, h.ip, h.timing?.protocol])]) {
          if (field !== undefined && field.length > 8) expect(json).not.toContain(field);
        }
      }),
      { numRuns: 500 },
    );
  });
});
