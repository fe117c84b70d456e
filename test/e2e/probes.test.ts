// Probe classification in real Chromium: each HTTPS failure mode, a TURNS certificate failure, and the DoH cross-check inside a check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog';
import { startDoh, startStunResponder, type Stoppable } from '../../tools/servers';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';

let fx: Fixtures;
let ext: ExtensionSession;
let doh: Stoppable & { asked(): string[] };
let stuns: Stoppable[];

beforeAll(async () => {
  fx = await startFixtures();
  // The resolver knows the "real" address of a name the browser's resolver says does not exist: DNS tampering.
  doh = await startDoh(fx.pki.server, { 'tampered.canicall.test': ['198.18.0.10'] });
  stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all([doh, ...(stuns ?? [])].filter(Boolean).map((s) => s.stop()));
  await fx?.stop();
});

const http = async (port: number, deadlineMs = 3000, host = '127.0.0.1') =>
  (await ext.ask({ type: 'probeHttp', url: `https://${host}:${port}/`, deadlineMs })).result;

describe('HTTP failure classification in Chromium', () => {
  it.each([
    ['a certificate for another name', () => fx.https.wrongHost.port, 'ssl_invalid_hostname', 'net::ERR_CERT_COMMON_NAME_INVALID'],
    ['a certificate from an unknown authority', () => fx.https.unknownCa.port, 'ssl_unknown_authority', 'net::ERR_CERT_AUTHORITY_INVALID'],
    ['bytes that are not TLS', () => fx.https.notTls.port, 'ssl_failed_handshake', 'net::ERR_SSL_PROTOCOL_ERROR'],
    ['a reset after the ClientHello', () => fx.https.reset.port, 'connection_reset', 'net::ERR_CONNECTION_RESET'],
  ])('%s', async (_name, port, failure, rawError) => {
    expect(await http(port())).toMatchObject({ outcome: 'failed', failure, rawError });
  });

  it('a server that never answers times out at our own deadline', async () => {
    const result = await http(fx.https.hang.port, 1200);
    expect(result).toMatchObject({ outcome: 'failed', failure: 'generic_timeout_error' });
    expect(result.ms).toBeGreaterThanOrEqual(1100);
    expect(result.ms).toBeLessThan(2500);
  });

  it('a redirect is an answer (and its status is kept, for captive-portal detection)', async () => {
    expect(await http(fx.https.redirect.port)).toMatchObject({ outcome: 'reachable', status: 302, ip: '127.0.0.1' });
  });

  it('a TURNS server whose certificate is not trusted is unreachable over TLS', async () => {
    const { results } = await ext.ask({
      type: 'probeIce',
      deadlineMs: 3000,
      // A TLS server whose certificate names another host: the handshake is refused before any TURN exchange.
      targets: [{ id: 'turns.bad-cert', url: `turns:127.0.0.1:${fx.https.wrongHost.port}?transport=tcp`, source: 'https://example.org/test' }],
    });
    expect(results[0]).toMatchObject({ outcome: 'unreachable', transport: 'tls', failure: 'ssl_failed_handshake' });
  });
});

describe('DNS cross-check in a check', () => {
  it('tells DNS tampering from an outage with the DoH resolver', async () => {
    const source = 'https://github.com/can-i-call/can-i-call/tree/main/test/e2e';
    const catalog: Catalog = {
      version: '2026.11.23.2',
      controls: {
        http: [{ id: 'control.ok', url: `https://127.0.0.1:${fx.https.ok.port}/generate_204`, expectStatus: 204, source }],
        stun: [
          { id: 'control.stun-a', url: `stun:127.0.0.2:${stuns[0]?.port ?? 0}`, source },
          { id: 'control.stun-b', url: `stun:127.0.0.3:${stuns[1]?.port ?? 0}`, source },
        ],
        doh: `https://localhost:${doh.port}/resolve`,
      },
      apps: [
        {
          id: 'dns-app',
          name: 'DNS App',
          signalling: [{ id: 'dns-app.web', url: `https://tampered.canicall.test:${fx.https.ok.port}/`, source }],
          media: [],
          transports: ['udp'],
          udpPorts: [3478],
          mediaConfidence: 'low',
          sources: [source],
        },
      ],
    };
    const report = await ext.ask({ type: 'runCheck', catalog });
    expect(report.observations.http.find((r) => r.id === 'dns-app.web')).toMatchObject({ failure: 'dns_nxdomain_error' });
    expect(report.observations.dns).toEqual([
      { targetId: 'dns-app.web', host: 'tampered.canicall.test', system: 'nxdomain', doh: 'answers', verdict: 'dns_tampering' },
    ]);
    expect(doh.asked()).toContain('tampered.canicall.test');
    expect(report.apps[0]?.reasons).toContain('DNS_TAMPERED');
  });

  it('logged no errors', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});
