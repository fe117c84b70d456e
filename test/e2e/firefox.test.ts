// The extension in real Firefox (ESR) over WebDriver BiDi: loads cleanly, probes ICE in the background page, classifies Firefox's errors, judges a whole check as Chromium does, and asks for relay credentials only when allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import { parseReport, type Report } from '../../src/core/report';
import { createApp } from '../../src/collector/app';
import { createStaticGeo } from '../../src/collector/geo';
import { listen, type RunningServer } from '../../src/collector/http-server';
import { createJsonLogger } from '../../src/collector/logger';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { startTestRelay, type TestRelay } from '../support/relay';
import { closedTcpPort, startStunResponder, type Stoppable } from '../../tools/servers';
import { turnAllocate } from '../support/turn-client';
import { expectLossCounted, expectTurnRtt } from './loss-probe';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchFirefoxExtension, type FirefoxSession } from './firefox-harness';
import { SHARED_SCENARIO_VERDICTS, testCatalog } from './test-catalog';

let fx: Fixtures;
let ext: FirefoxSession;
let stuns: Stoppable[];

beforeAll(async () => {
  fx = await startFixtures();
  stuns = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3')];
  ext = await launchFirefoxExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

const ice = (id: string, url: string) => ({ id, url, source: 'https://example.org/test' });

describe('the extension in Firefox', () => {
  it('starts and installs as a temporary add-on', () => {
    console.info(`Firefox launch + add-on install: ${ext.startupMs} ms`);
    expect(ext.startupMs).toBeLessThan(30_000);
  });

  it('renders the popup', async () => {
    const popup = await ext.openPage('src/popup/index.html');
    await expect.poll(() => popup.evaluate(() => document.body.innerText)).toContain('Can I Call?');
    await popup.close();
  });

  it('answers a typed message from the background page', async () => {
    expect(await ext.ask({ type: 'ping' })).toEqual({ pong: true, version: '0.1.0' });
  });

  it('gets 401 from coturn with dummy credentials over UDP, TCP and TLS (test CA trusted in the profile)', async () => {
    const { results } = await ext.ask({
      type: 'probeIce',
      deadlineMs: 5000,
      targets: [
        ice('turn.udp', `turn:127.0.0.1:${fx.coturn.port}?transport=udp`),
        ice('turn.tcp', `turn:127.0.0.1:${fx.coturn.port}?transport=tcp`),
        // A name, not an address: Firefox does not try TURNS to an IP address at all.
        ice('turn.tls', `turns:localhost:${fx.coturn.tlsPort}?transport=tcp`),
      ],
    });
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['turn.udp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'udp' });
    expect(byId['turn.tcp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tcp' });
    // Firefox first fails over ::1 (coturn listens on 127.0.0.1 only) with a 701: that must not settle the probe.
    expect(byId['turn.tls']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tls' });
  });

  it('reports a TURNS server with an untrusted certificate as a TLS failure', async () => {
    const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 3000, targets: [ice('tls.bad', `turns:localhost:${fx.https.unknownCa.port}?transport=tcp`)] });
    expect(results[0]).toMatchObject({ outcome: 'unreachable', evidence: 'error-701', failure: 'ssl_failed_handshake' });
  });

  it('sees a STUN answer as an srflx candidate', async () => {
    const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 3000, targets: [ice('stun.ok', `stun:127.0.0.1:${fx.stun.port}`)] });
    expect(results[0]).toMatchObject({ outcome: 'reachable', evidence: 'srflx' });
  });

  it('takes RTT samples from a TURN server over UDP: one round trip per 401, not two', async () => {
    await expectTurnRtt((request) => ext.ask(request), { coturnPort: fx.coturn.port });
  });

  it('counts lost STUN datagrams from how late the answers come (Firefox retransmits after 100, 300 ms)', async () => {
    // One connection per exchange in Firefox.
    await expectLossCounted((request) => ext.ask(request), { exchanges: 16, firstStepMs: 100 });
  });

  it('reports a closed TCP port as unreachable and a silent UDP port as filtered, within the deadline', async () => {
    const deadlineMs = 1500;
    const started = Date.now();
    const { results } = await ext.ask({
      type: 'probeIce',
      deadlineMs,
      targets: [ice('closed.tcp', `turn:127.0.0.1:${fx.closedPort}?transport=tcp`), ice('silent.udp', `stun:127.0.0.1:${fx.silentUdp.port}`)],
    });
    const elapsed = Date.now() - started;
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId['closed.tcp']).toMatchObject({ outcome: 'unreachable', evidence: 'error-701', failure: 'connection_refused' });
    expect(byId['silent.udp']).toMatchObject({ outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error' });
    expect(fx.silentUdp.received()).toBeGreaterThan(0);
    // Our own deadline, not Firefox's ~11 s give-up, ends the probe.
    expect(elapsed).toBeLessThan(deadlineMs + 3000);
  });

  it('classifies a refused fetch from NS_ERROR_CONNECTION_REFUSED', async () => {
    const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.closedPort}/`, deadlineMs: 3000 });
    expect(result).toMatchObject({ outcome: 'failed', failure: 'connection_refused', rawError: 'NS_ERROR_CONNECTION_REFUSED' });
  });

  it('classifies a reset, TLS failures and our own deadline from what Firefox reports', async () => {
    const probe = async (url: string, deadlineMs = 3000) => (await ext.ask({ type: 'probeHttp', url, deadlineMs })).result;
    expect(await probe(`https://127.0.0.1:${fx.https.reset.port}/`)).toMatchObject({ failure: 'connection_reset', rawError: 'NS_ERROR_NET_RESET' });
    // Firefox names TLS failures only in localized text: any of them is ssl_failed_handshake, never parsed.
    for (const port of [fx.https.unknownCa.port, fx.https.wrongHost.port, fx.https.notTls.port]) {
      const result = await probe(`https://localhost:${port}/`);
      expect(result).toMatchObject({ outcome: 'failed', failure: 'ssl_failed_handshake', ip: '127.0.0.1' });
      expect(result.rawError).not.toMatch(/^(NS_|net::|TypeError)/);
    }
    const started = Date.now();
    expect(await probe(`https://127.0.0.1:${fx.https.hang.port}/`, 1000)).toMatchObject({ failure: 'generic_timeout_error', rawError: 'NS_BINDING_ABORTED' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('returns the server ip and status for a successful fetch', async () => {
    const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.https.ok.port}/generate_204`, deadlineMs: 3000 });
    expect(result).toMatchObject({ outcome: 'reachable', status: 204, ip: '127.0.0.1' });
  });

  it('sends a request for any name to loopback, never beyond', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    const port = await new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)));
    await ext.ask({ type: 'probeHttp', url: `https://loopback-check.example:${port}/`, deadlineMs: 2000 });
    await new Promise<void>((done) => server.close(() => done()));
    expect(connections).toBeGreaterThan(0);
  });

  it('logged no errors in the background page or extension pages', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});

describe('a check in Firefox', () => {
  let report: Report;
  let elapsedMs: number;

  it('runs to a valid report through the automation message', async () => {
    const catalog = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
    const started = Date.now();
    report = await ext.ask({ type: 'runCheck', catalog });
    elapsedMs = Date.now() - started;
    console.info(`whole check in Firefox: ${elapsedMs} ms`);
    const parsed = parseReport(report);
    expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
    expect(report.status).toBe('done');
    expect(report.browser).toMatchObject({ family: 'firefox' });
    expect(report.observations.nat?.mapping).toBe('endpoint-independent');
    // No loss burst in Firefox: its 100 ms retransmission step drowns in the burst's timing scatter.
    expect(report.observations.rtt?.samples.length).toBeGreaterThan(0);
    expect(report.observations.loss).toBeUndefined();
  });

  it('judges each app as Chromium does for the shared scenario', () => {
    const verdicts = Object.fromEntries(report.apps.map((a) => [a.appId, { verdict: a.verdict, messaging: a.messaging, calls: a.calls }]));
    // On a mismatch, say why: the reasons per app and what each probe measured.
    const why = JSON.stringify({ apps: report.apps.map((a) => [a.appId, a.reasons]), quality: report.quality, rtt: report.observations.rtt, loss: report.observations.loss, ice: report.observations.ice, http: report.observations.http });
    expect(verdicts, why).toEqual(SHARED_SCENARIO_VERDICTS);
    expect(report.apps.find((a) => a.appId === 'reset-app')?.reasons).toContain('CONNECTION_RESET');
    expect(report.observations.http.find((r) => r.id === 'blocked-app.web')).toMatchObject({ outcome: 'failed', failure: 'connection_refused' });
  });

  it('ends within the silent-network budget even with a silent target', () => {
    expect(elapsedMs).toBeLessThan(8000);
  });

  it('keeps the report in storage and on the badge', async () => {
    const state = await ext.ask({ type: 'getState' });
    expect(state.report?.id).toBe(report.id);
    const page = await ext.openPage('src/options/index.html');
    const badge = await page.evaluate(() => browser.action.getBadgeText({}));
    await page.close();
    expect(['✓', '!', '✕', '?']).toContain(badge);
  });

  it('names the network of the finished check on the device, and refuses a bad name without changing it', async () => {
    const { report: renamed } = await ext.ask({ type: 'setNetworkLabel', reportId: report.id, label: '  Home Wi-Fi ' });
    expect(renamed).toMatchObject({ id: report.id, networkLabel: 'Home Wi-Fi' });
    await expect(ext.ask({ type: 'setNetworkLabel', reportId: report.id, label: 'Home\u0007' })).rejects.toThrow('control character');
    expect((await ext.ask({ type: 'getState' })).report?.networkLabel).toBe('Home Wi-Fi');
    expect((await ext.ask({ type: 'getHistory' })).reports.find((r) => r.id === report.id)?.networkLabel).toBe('Home Wi-Fi');
  });

  it('shows a finished check in the popup, with the parts its code loads after the answer (call test, export)', async () => {
    const catalog = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
    const options = await ext.openPage('src/options/index.html');
    await options.evaluate((key, value) => browser.storage.local.set({ [key]: value }), STORAGE_KEYS.catalogOverride, catalog);
    const popup = await ext.openPage('src/popup/index.html');
    try {
      // The popup starts its own check on opening; once that is done, the part loaded with import() shows.
      const loaded = () => popup.evaluate(() => document.querySelector('.call-test') !== null && document.querySelector('.actions button') !== null);
      await expect.poll(loaded, { timeout: 20_000 }).toBe(true);
      expect(await popup.evaluate(() => document.querySelectorAll('.app-row__toggle').length)).toBe(catalog.apps.length);
    } finally {
      await popup.close();
      await options.evaluate((key) => browser.storage.local.remove(key), STORAGE_KEYS.catalogOverride);
      await options.close();
    }
  });

  it('logged no errors during the check', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});

describe('the call-test relay in Firefox', () => {
  let relay: TestRelay;
  let store: Store;
  let collector: RunningServer;
  let dir: string;
  const logLines: string[] = [];
  const setSettings = async (settings: object) => {
    const page = await ext.openPage('src/options/index.html');
    await page.evaluate((value) => browser.storage.local.set({ settings: value }), settings);
    await page.close();
  };

  beforeAll(async () => {
    relay = await startTestRelay();
    dir = mkdtempSync(join(tmpdir(), 'cic-ff-relay-'));
    store = openSqliteStore(join(dir, 'collector.db'));
    const app = createApp({ store, geo: createStaticGeo({}), rateLimit: null, logger: createJsonLogger((line) => logLines.push(line)), relay: relay.relay });
    collector = await listen(app, '127.0.0.1', await closedTcpPort());
  });
  afterAll(async () => {
    await collector?.stop();
    await store?.close();
    await relay?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for nothing while off; once on, gets credentials the real relay accepts', async () => {
    const collectorUrl = `http://127.0.0.1:${collector.port}`;
    await setSettings({ collectorUrl });
    expect((await ext.ask({ type: 'getRelayCredentials' })).result).toMatchObject({ ok: false, problem: 'off' });
    expect(logLines).toEqual([]);
    await setSettings({ collectorUrl, callTestRelay: true });
    const { result } = await ext.ask({ type: 'getRelayCredentials' });
    if (!result.ok) throw new Error(`no credentials: ${result.problem} ${result.detail}`);
    expect(logLines.filter((line) => line.includes('"path":"/v1/turn-credentials"'))).toHaveLength(1);
    expect(await turnAllocate('127.0.0.1', relay.port, result.credentials.username, result.credentials.credential)).toMatchObject({ kind: 'success' });
    await setSettings({});
  });
});
