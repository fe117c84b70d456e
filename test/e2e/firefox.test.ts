// The extension in real Firefox (ESR) over WebDriver BiDi: the shared contract (extension-contract.ts) on Firefox's harness, plus what only Firefox shows: names resolved to loopback, relay credentials asked for only when allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import { createApp } from '../../src/collector/app';
import { createStaticGeo } from '../../src/collector/geo';
import { listen, type RunningServer } from '../../src/collector/http-server';
import { createJsonLogger } from '../../src/collector/logger';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { closedTcpPort } from '../../tools/servers';
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
  let store: Store;
  let collector: RunningServer;
  let dir: string;
  const logLines: string[] = [];
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

  it('asks for nothing while off; once on, gets credentials the real relay accepts', async ({ ext }) => {
    const setSettings = (settings: object) => ext.storage.set({ [STORAGE_KEYS.settings]: settings });
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

describeExtensionContract(it, firefoxHarness.profile);
