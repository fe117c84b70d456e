// The foundation in real Chromium: the extension loads cleanly, the worker answers, ICE probes run through the offscreen document, HTTP probes carry webRequest detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { expectLossCounted, expectTurnLossCounted, expectTurnRtt } from './loss-probe';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { startStunResponder } from '../../tools/servers';

let fx: Fixtures;
let ext: ExtensionSession;

beforeAll(async () => {
  fx = await startFixtures();
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await fx?.stop();
});

const ice = (id: string, url: string) => ({ id, url, source: 'https://example.org/test' });

describe('foundation in Chromium', () => {
  it('renders the popup', async () => {
    const popup = await ext.openPage('src/popup/index.html');
    await expect.poll(() => popup.locator('body').innerText()).toContain('Can I Call?');
    await popup.close();
  });

  it('answers a typed message from the service worker', async () => {
    const answer = await ext.ask({ type: 'ping' });
    expect(answer).toEqual({ pong: true, version: '0.1.0' });
  });

  it('gets 401 from coturn with dummy credentials over UDP, TCP and TLS', async () => {
    const { results } = await ext.ask({
      type: 'probeIce',
      deadlineMs: 5000,
      targets: [
        ice('turn.udp', `turn:127.0.0.1:${fx.coturn.port}?transport=udp`),
        ice('turn.tcp', `turn:127.0.0.1:${fx.coturn.port}?transport=tcp`),
        ice('turn.tls', `turns:localhost:${fx.coturn.tlsPort}?transport=tcp`),
      ],
    });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['turn.udp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'udp' });
    expect(byId['turn.tcp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tcp' });
    expect(byId['turn.tls']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tls' });
  });

  it('sees a STUN answer as an srflx candidate', async () => {
    const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 3000, targets: [ice('stun.ok', `stun:127.0.0.1:${fx.stun.port}`)] });
    expect(results[0]).toMatchObject({ outcome: 'reachable', evidence: 'srflx' });
    expect(fx.stun.received()).toBeGreaterThan(0);
  });

  it('reports a closed TCP port as unreachable and a silent UDP port as filtered, within the deadline', async () => {
    const deadlineMs = 1500;
    const started = Date.now();
    const { results } = await ext.ask({
      type: 'probeIce',
      deadlineMs,
      targets: [
        ice('closed.tcp', `turn:127.0.0.1:${fx.closedPort}?transport=tcp`),
        ice('silent.udp', `stun:127.0.0.1:${fx.silentUdp.port}`),
      ],
    });
    const elapsed = Date.now() - started;
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['closed.tcp']?.outcome).toBe('unreachable');
    expect(byId['silent.udp']).toMatchObject({ outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error' });
    expect(fx.silentUdp.received()).toBeGreaterThan(0);
    // Generous bound: the probe's own deadline plus messaging and document start-up, far below the browser's 40 s give-up.
    expect(elapsed).toBeLessThan(deadlineMs + 5000);
  });

  it('classifies a refused fetch from net::ERR_CONNECTION_REFUSED', async () => {
    const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.closedPort}/`, deadlineMs: 3000 });
    expect(result).toMatchObject({ outcome: 'failed', failure: 'connection_refused', rawError: 'net::ERR_CONNECTION_REFUSED' });
  });

  it('returns the server ip and status for a successful fetch', async () => {
    const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.https.ok.port}/generate_204`, deadlineMs: 3000 });
    expect(result).toMatchObject({ outcome: 'reachable', status: 204, ip: '127.0.0.1' });
    // Resource Timing phases of a first request to this origin: a TLS handshake and a protocol.
    expect(result.timing?.protocol).toMatch(/^(http\/1\.1|h2)$/);
    expect(result.timing?.tlsMs).toBeGreaterThan(0);
  });

  it('infers the NAT mapping from one connection to two STUN servers on different addresses', async () => {
    // Two responders on two loopback addresses play a NAT: the same mapping for both is a cone NAT,
    // a different port per destination is a symmetric one.
    const same = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3')];
    const natOf = async (ports: number[], hosts: string[]) =>
      ext.ask({ type: 'probeNat', deadlineMs: 2000, servers: ports.map((port, i) => ice(`s${i}`, `stun:${hosts[i] ?? ''}:${port}`)) });
    const coneResult = await natOf(same.map((s) => s.port), ['127.0.0.2', '127.0.0.3']);
    expect(coneResult.result).toMatchObject({ mapping: 'endpoint-independent', srflxCount: 1 });
    expect(coneResult.result.answered.sort()).toEqual(['s0', 's1']);
    const split = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40001 }, '127.0.0.3')];
    const symmetric = await natOf(split.map((s) => s.port), ['127.0.0.2', '127.0.0.3']);
    expect(symmetric.result).toMatchObject({ mapping: 'address-dependent', srflxCount: 2 });
    await Promise.all([...same, ...split].map((s) => s.stop()));
  });

  it('takes sequential RTT samples from a STUN server', async () => {
    const { result } = await ext.ask({ type: 'probeRtt', deadlineMs: 2000, samples: 5, target: ice('rtt', `stun:127.0.0.1:${fx.stun.port}`) });
    expect(result.samples).toHaveLength(5);
    expect(result.medianMs).toBeLessThan(500);
    expect(result.jitterMs).toBeGreaterThanOrEqual(0);
  });

  it('counts lost STUN datagrams from how late the answers come (Chrome retransmits after 250, 750 ms)', async () => {
    // Eight exchanges: one connection in Chrome.
    await expectLossCounted((request) => ext.ask(request), { exchanges: 8, firstStepMs: 250 });
  });

  it('takes RTT samples from a TURN server over UDP: one round trip per 401, not two', async () => {
    await expectTurnRtt((request) => ext.ask(request), { coturnPort: fx.coturn.port });
  });

  it('counts lost TURN Allocates from how late the 401s come, placing each in its section by its local port', async () => {
    // Sixteen exchanges, a per-app burst: two connections of eight sections in Chrome.
    await expectTurnLossCounted((request) => ext.ask(request), { exchanges: 16, coturnPort: fx.coturn.port, firstStepMs: 250 });
  });

  it('resolves no name but loopback in tests, for HTTP and for ICE', async () => {
    const { result } = await ext.ask({ type: 'probeHttp', url: 'https://stun.l.google.com/', deadlineMs: 2000 });
    // No host permission for this name in the test build, so only fetch's own (uninformative) error is seen.
    expect(result).toMatchObject({ outcome: 'failed', rawError: 'TypeError: Failed to fetch' });
    const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 2000, targets: [ice('named', 'stun:stun.l.google.com:19302')] });
    expect(results[0]).toMatchObject({ outcome: 'unreachable', failure: 'dns_lookup_error' });
  });

  it('logged no errors in the worker, the offscreen document or extension pages', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});
