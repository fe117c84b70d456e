// The foundation in real Chromium: the extension loads cleanly, the worker answers, ICE probes run through the offscreen document, HTTP probes carry webRequest detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionSession } from './harness';
import { startFixtures, type Fixtures } from './fixtures';

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
  });

  it('logged no errors in the worker, the offscreen document or extension pages', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});
