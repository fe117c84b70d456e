// The check's quick call window in real Chromium and Firefox: through a real coturn with credentials from a real
// collector while the person allows the relay; nothing in the report, and not one packet to the relay, while not.
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_PACKET_INTERVAL_MS, judgeCallTest } from '../../src/core/call-test';
import type { Catalog } from '../../src/core/catalog';
import { STORAGE_KEYS } from '../../src/core/messages';
import { QUICK_CALL_MS } from '../../src/core/quick-call';
import type { Report } from '../../src/core/report';
import type { ExtensionSession } from '../../tools/extension-session';
import { startStunResponder, type Stoppable } from '../../tools/servers';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension } from '../../tools/chromium-extension';
import { startLocalCollector, type LocalCollector } from '../../tools/local-collector';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { startCuttingProxy, type CuttingProxy } from './call-relay';
import { launchFirefoxExtension } from './firefox-harness';
import { testCatalog } from './test-catalog';

let fx: Fixtures;
let stuns: Stoppable[];
let relay: TestRelay;
/** In front of the relay's UDP port, never cutting: it counts the flows that reach the relay. */
let counter: CuttingProxy;
let collector: LocalCollector;
let collectorUrl: string;

const verdicts = (report: Report) => Object.fromEntries(report.apps.map((a) => [a.appId, a.verdict]));
const catalog = (): Catalog => testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });

beforeAll(async () => {
  fx = await startFixtures();
  stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
  relay = await startTestRelay();
  counter = await startCuttingProxy(relay.port, Number.POSITIVE_INFINITY);
  // The credentials name the counter's port: whatever the extension sends the relay over UDP passes through it.
  collector = await startLocalCollector({ relay: { ...relay.relay, port: counter.port } });
  collectorUrl = collector.url;
});

afterAll(async () => {
  await collector?.stop();
  await counter?.stop();
  await relay?.stop();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

type Session = ExtensionSession<Page>;

function describeQuickCall(browserName: string, launch: () => Promise<Session>): void {
  describe(`the quick call window in ${browserName}`, () => {
    let ext: Session;
    let offReport: Report;
    /** Flows one quick window opens on the relay (allocations: one per peer and local address the browser uses). */
    let windowFlows = 0;
    beforeAll(async () => {
      ext = await launch();
    });
    afterAll(async () => {
      await ext?.close();
    });

    it('while the relay is off: no window in the report, and nothing reaches the relay or asks for it', async () => {
      const asked = collector.requestsTo('/v1/turn-credentials');
      const flows = counter.flows();
      await ext.storage.set({ [STORAGE_KEYS.settings]: { collectorUrl } });
      offReport = await ext.ask({ type: 'runCheck', catalog: catalog() });
      expect(offReport.status).toBe('done');
      expect(offReport.observations.callTest).toBeUndefined();
      expect(offReport.phases?.some((p) => p.phase === 'call')).toBe(false);
      expect(collector.requestsTo('/v1/turn-credentials')).toBe(asked);
      expect(counter.flows()).toBe(flows);
    });

    it('once allowed: the report carries a 1.5 s window through the real relay, and no app reads differently', async () => {
      await ext.storage.set({ [STORAGE_KEYS.settings]: { collectorUrl, callTestRelay: true } });
      // The first fetch of credentials may outlast the check's 1 s wait for them; it then serves the next check.
      await ext.ask({ type: 'getRelayCredentials' });
      const flowsBefore = counter.flows();
      const report = await ext.ask({ type: 'runCheck', catalog: catalog() });
      windowFlows = counter.flows() - flowsBefore;
      const { callTest } = report.observations;
      const call = report.phases?.find((p) => p.phase === 'call');
      const final = report.phases?.reduce((end, p) => Math.max(end, p.endMs ?? 0), 0);
      console.info(`[quick call] ${browserName}: ${JSON.stringify({ callTest, call, final, outcome: callTest && judgeCallTest(callTest) })}`);
      expect(report.status).toBe('done');
      expect(callTest).toMatchObject({ durationMs: QUICK_CALL_MS, tried: ['udp'], transport: 'udp' });
      for (const direction of [callTest?.outgoing, callTest?.incoming]) {
        expect(direction?.sent).toBeGreaterThanOrEqual(QUICK_CALL_MS / CALL_PACKET_INTERVAL_MS - 5);
        // Loopback, but a loaded 2-core machine: room for a few late timers, none for a broken path.
        expect(direction?.lossPct).toBeLessThanOrEqual(5);
      }
      expect(callTest && judgeCallTest(callTest)).toMatchObject({ kind: 'stays-up', transport: 'udp' });
      expect(call?.endMs).toBeGreaterThan(call?.startMs ?? Number.POSITIVE_INFINITY);
      expect(counter.flows()).toBeGreaterThan(0);
      expect(verdicts(report)).toEqual(verdicts(offReport));
      expect(ext.consoleErrors).toEqual([]);
    });

    it('a call test asked for while the window runs waits for it: never two loopbacks to the relay at once', async () => {
      const got = await ext.ask({ type: 'getRelayCredentials' });
      if (!got.result.ok) throw new Error(`no relay credentials: ${got.result.detail}`);
      const { username, credential, uris } = got.result.credentials;
      const before = counter.flowStarts().length;
      const checking = ext.ask({ type: 'runCheck', catalog: catalog() });
      // Every allocation of the window is made: it is connected, or sending.
      const until = Date.now() + 5_000;
      while (counter.flowStarts().length < before + windowFlows && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      const askedAt = Date.now();
      const [report, test] = await Promise.all([checking, ext.ask({ type: 'runCallTest', duration: 'quick', relay: { username, credential, uris } })]);
      const startedAt = Date.parse(report.startedAt);
      const call = report.phases?.find((p) => p.phase === 'call');
      // The report marks the window's end a moment after the ICE host answered, which is when the test may start.
      const windowEnd = startedAt + (call?.endMs ?? Number.NaN) - 50;
      const flows = counter.flowStarts().slice(before);
      console.info(`[quick call] ${browserName} queue: ${JSON.stringify({ call, windowFlows, askedAfterMs: askedAt - startedAt, flowsAfterMs: flows.map((at) => at - startedAt) })}`);
      expect(report.observations.callTest?.transport).toBe('udp');
      expect(test.transport).toBe('udp');
      expect(windowFlows).toBeGreaterThan(0);
      expect(askedAt).toBeLessThan(windowEnd);
      // While the window ran, only its own allocations reached the relay; the test's all came after it.
      expect(flows.filter((at) => at < windowEnd)).toHaveLength(windowFlows);
      expect(flows.filter((at) => at >= windowEnd).length).toBeGreaterThan(0);
    });

    it('the popup’s “Test a call” runs through the relay, then refuses a second within 2 minutes, saying how long to wait', async () => {
      // The popup checks with the catalog in use: the fixtures', so the check is not offline and the section shows.
      await ext.storage.set({ [STORAGE_KEYS.catalogOverride]: catalog(), [STORAGE_KEYS.settings]: { collectorUrl, callTestRelay: true } });
      const page = await ext.openPage('src/popup/index.html');
      const resultText = () => page.$eval('.call-test__result', (p) => p.textContent ?? '');
      const flows = counter.flows();
      try {
        await (await page.waitForSelector('.call-test button:not([disabled])', { timeout: 20_000 }))?.click();
        await page.waitForFunction(() => /stays up/.test(document.querySelector('.call-test__result')?.textContent ?? ''), { timeout: 45_000 });
        const used = counter.flows();
        expect(used).toBeGreaterThan(flows);
        await (await page.waitForSelector('.call-test button:not([disabled])'))?.click();
        await page.waitForFunction(() => /can start in/.test(document.querySelector('.call-test__result')?.textContent ?? ''), { timeout: 5_000 });
        console.info(`[quick call] ${browserName} spaced: ${await resultText()}`);
        expect(await resultText()).toMatch(/can start in (1[0-2]\d|\d{1,2}) s(ec)?\. Tests of one server are kept 2 minutes apart/);
        // The result just measured stays in view beside the wait.
        expect(await resultText()).toMatch(/stays up/);
        expect(await page.$eval('.call-test button', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
        // Refused before anything was sent.
        expect(counter.flows()).toBe(used);
      } finally {
        await page.close();
        await ext.storage.remove(STORAGE_KEYS.catalogOverride);
      }
    });
  });
}

describeQuickCall('Chromium', () => launchExtension({ trustCaPath: fx.pki.caPath }));
describeQuickCall('Firefox', () => launchFirefoxExtension({ trustCaPath: fx.pki.caPath }));
