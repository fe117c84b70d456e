// The call-test relay in Chromium with a real collector and a real coturn: nothing asked while the setting is off; once on, credentials the relay accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog';
import { REFLECTOR_CONTROL_ID, reflectorId } from '../../src/core/reflection';
import type { Report } from '../../src/core/report';
import { STORAGE_KEYS } from '../../src/core/messages';
import { startLocalCollector, type LocalCollector } from '../../tools/local-collector';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { closedTcpPort, startStunResponder, type Stoppable } from '../../tools/servers';
import { turnAllocate } from '../support/turn-client';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { testCatalog } from './test-catalog';

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[];
let relay: TestRelay;
let collector: LocalCollector;
let collectorUrl: string;

/** The test catalog plus an app with no media server of its own whose documented call port the relay reflects. */
function catalogWithCallPorts(): Catalog {
  const base = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
  const callPort = relay.reflectorPorts[0] ?? 0;
  const source = 'https://github.com/can-i-call/can-i-call/tree/main/test/e2e';
  return {
    ...base,
    apps: [
      ...base.apps,
      {
        id: 'ports-app',
        name: 'Ports App',
        signalling: [{ id: 'ports-app.web', url: `https://127.0.0.1:${fx.https.ok.port}/ports`, source }],
        media: [],
        transports: ['udp'],
        udpPorts: [callPort],
        udpPortSources: [{ ports: [callPort], source }],
        mediaConfidence: 'low',
        sources: [source],
      },
    ],
  };
}

const reflections = (report: Report) => report.observations.ice.filter((r) => r.id.startsWith('reflector.'));

beforeAll(async () => {
  fx = await startFixtures();
  stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
  relay = await startTestRelay({ reflectorPorts: [0] });
  collector = await startLocalCollector({ relay: relay.relay });
  collectorUrl = collector.url;
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await collector?.stop();
  await relay?.stop();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

describe('call-test relay consent in Chromium', () => {
  it('asks the collector for nothing while the relay is off (the default), through a whole check', async () => {
    await ext.worker.evaluate(([key, url]) => chrome.storage.local.set({ [key as string]: { collectorUrl: url } }), [STORAGE_KEYS.settings, collectorUrl]);
    const answer = await ext.ask({ type: 'getRelayCredentials' });
    expect(answer.result).toMatchObject({ ok: false, problem: 'off' });
    const report = await ext.ask({ type: 'runCheck', catalog: catalogWithCallPorts() });
    expect(reflections(report)).toEqual([]);
    expect(report.apps.find((a) => a.appId === 'ports-app')).toMatchObject({ verdict: 'works', reasons: ['MEDIA_INFERRED'] });
    expect(await ext.ask({ type: 'getRelayCredentials' })).toMatchObject({ result: { ok: false, problem: 'off' } });
    expect(collector.requestsTo('/v1/turn-credentials')).toBe(0);
    expect(collector.logLines).toEqual([]);
  });

  it('once the person turns it on: credentials from the collector that the real relay accepts, asked for once', async () => {
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { collectorUrl: url, callTestRelay: true } }),
      [STORAGE_KEYS.settings, collectorUrl],
    );
    const first = (await ext.ask({ type: 'getRelayCredentials' })).result;
    const second = (await ext.ask({ type: 'getRelayCredentials' })).result;
    if (!first.ok) throw new Error(`no credentials: ${first.problem} ${first.detail}`);
    expect(second).toEqual(first);
    expect(collector.requestsTo('/v1/turn-credentials')).toBe(1);
    expect(first.credentials.uris[0]).toBe(`turn:127.0.0.1:${relay.port}?transport=udp`);
    expect(await turnAllocate('127.0.0.1', relay.port, first.credentials.username, first.credentials.credential)).toMatchObject({ kind: 'success' });
    // Chromium itself gets a relay candidate from them (relay-only, as the call test gathers).
    const page = await ext.openPage('src/options/index.html');
    const candidates = await page.evaluate(async (credentials) => {
      const pc = new RTCPeerConnection({
        iceServers: [{ urls: credentials.uris, username: credentials.username, credential: credentials.credential }],
        iceTransportPolicy: 'relay',
      });
      const found: string[] = [];
      const done = new Promise<void>((resolve) => {
        pc.onicecandidate = (event) => (event.candidate === null ? resolve() : found.push(event.candidate.type ?? ''));
        setTimeout(resolve, 5_000);
      });
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await done;
      pc.close();
      return found;
    }, first.credentials);
    await page.close();
    expect(candidates).toContain('relay');

    // Turned off again: nothing more is asked, and nothing cached is handed out.
    await ext.worker.evaluate(([key, url]) => chrome.storage.local.set({ [key as string]: { collectorUrl: url } }), [STORAGE_KEYS.settings, collectorUrl]);
    expect((await ext.ask({ type: 'getRelayCredentials' })).result).toMatchObject({ ok: false, problem: 'off' });
    expect(collector.requestsTo('/v1/turn-credentials')).toBe(1);
  });

  it("while it is on, a check reflects an app's call ports through the relay the credentials name", async () => {
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { collectorUrl: url, callTestRelay: true } }),
      [STORAGE_KEYS.settings, collectorUrl],
    );
    const report = await ext.ask({ type: 'runCheck', catalog: catalogWithCallPorts() });
    const byId = new Map(reflections(report).map((r) => [r.id, r]));
    // The relay's own TURN port is the control; the app's port is one of the relay's reflector ports.
    expect(byId.get(REFLECTOR_CONTROL_ID), JSON.stringify(report.observations.ice)).toMatchObject({ outcome: 'reachable', port: relay.port });
    expect(byId.get(reflectorId(relay.reflectorPorts[0] ?? 0))).toMatchObject({ outcome: 'reachable' });
    expect(report.apps.find((a) => a.appId === 'ports-app')).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: ['MEDIA_REFLECTED'] });
  });

  it('says why when the collector is down, without throwing', async () => {
    const down = await closedTcpPort();
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { collectorUrl: url, callTestRelay: true } }),
      [STORAGE_KEYS.settings, `http://127.0.0.1:${down}`],
    );
    expect((await ext.ask({ type: 'getRelayCredentials' })).result).toMatchObject({ ok: false, problem: 'collector_unreachable' });
  });
});

it('logged no errors in the extension', () => {
  expect(ext.consoleErrors).toEqual([]);
});
