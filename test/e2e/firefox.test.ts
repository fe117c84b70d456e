// The extension in real Firefox (ESR) over WebDriver BiDi: the shared contract (extension-contract.ts) on Firefox's harness, plus what only Firefox shows: names resolved to loopback, relay credentials asked for only when allowed.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import { startLocalCollector, type LocalCollector } from '../../tools/local-collector';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { turnAllocate } from '../support/turn-client';
import { describeExtensionContract, extensionTest } from './extension-contract';
import { firefoxHarness } from './firefox-harness';

const it = extensionTest(firefoxHarness);

describe('only in Firefox', () => {
  it('sends a request for any name to loopback, never beyond', async ({ ext }) => {
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
});

describe('the call-test relay in Firefox', () => {
  let relay: TestRelay;
  let collector: LocalCollector;
  beforeAll(async () => {
    relay = await startTestRelay();
    collector = await startLocalCollector({ relay: relay.relay });
  });
  afterAll(async () => {
    await collector?.stop();
    await relay?.stop();
  });

  it('asks for nothing while off; once on, gets credentials the real relay accepts', async ({ ext }) => {
    const setSettings = (settings: object) => ext.storage.set({ [STORAGE_KEYS.settings]: settings });
    const collectorUrl = collector.url;
    await setSettings({ collectorUrl });
    expect((await ext.ask({ type: 'getRelayCredentials' })).result).toMatchObject({ ok: false, problem: 'off' });
    expect(collector.logLines).toEqual([]);
    await setSettings({ collectorUrl, callTestRelay: true });
    const { result } = await ext.ask({ type: 'getRelayCredentials' });
    if (!result.ok) throw new Error(`no credentials: ${result.problem} ${result.detail}`);
    expect(collector.requestsTo('/v1/turn-credentials')).toBe(1);
    expect(await turnAllocate('127.0.0.1', relay.port, result.credentials.username, result.credentials.credential)).toMatchObject({ kind: 'success' });
    await setSettings({});
  });
});

describeExtensionContract(it, firefoxHarness.profile);
