// Opt-in sharing end to end in Chromium with a real collector on loopback: anonymised on arrival, queued while the collector is down, delivered once it is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { createApp } from '../../src/collector/app';
import { createCatalogSigner, parsePrivateKey } from '../../src/collector/catalog-signer';
import type { Catalog } from '../../src/core/catalog';
import { TEST_CATALOG_PRIVATE_KEY } from '../support/catalog-test-key';
import { createStaticGeo } from '../../src/collector/geo';
import { listen, type RunningServer } from '../../src/collector/http-server';
import { createJsonLogger } from '../../src/collector/logger';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { STORAGE_KEYS } from '../../src/core/messages';
import { parseSharedReport } from '../../src/core/shared-report';
import { closedTcpPort, startStunResponder, type Stoppable } from '../../tools/servers';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { testCatalog } from './test-catalog';

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[];
let dir: string;
let store: Store;
let collector: RunningServer | null = null;
let port: number;
const received: unknown[] = [];
const logLines: string[] = [];

/** `now`: the collector's clock (stats publish only whole days that are over, so a test moves it past today). */
async function startCollector(serve?: { catalog: Catalog; privateKey: string }, now?: () => Date): Promise<void> {
  const app = createApp({
    ...(serve ? { catalog: serve.catalog, signer: createCatalogSigner(parsePrivateKey(serve.privateKey)) } : {}),
    ...(now === undefined ? {} : { now }),
    store,
    // The collector derives the network from the address and forgets it; loopback plays a Moroccan ISP here.
    geo: createStaticGeo({ '127.0.0.1': { cc: 'MA', asn: 36903 } }),
    rateLimit: null,
    logger: createJsonLogger((line) => logLines.push(line)),
  });
  // Keep a copy of every body the collector accepts, exactly as it arrived.
  // The collector reads a body from the Node stream when it has one; the copy is read here, so the app is handed
  // the text and only the socket (for the sender's address).
  const recording = async (request: Request, env: { incoming?: { socket?: unknown } }) => {
    if (request.method !== 'POST') return app.fetch(request, env as never);
    const text = await request.text();
    received.push(JSON.parse(text));
    const copy = new Request(request.url, { method: 'POST', headers: request.headers, body: text });
    return app.fetch(copy, { incoming: { socket: env.incoming?.socket } } as never);
  };
  collector = await listen({ fetch: recording } as unknown as typeof app, '127.0.0.1', port);
}

async function queued(): Promise<unknown[]> {
  const items = await ext.worker.evaluate((key) => chrome.storage.local.get(key).then((s) => s[key] ?? []), STORAGE_KEYS.shareQueue);
  return items as unknown[];
}

beforeAll(async () => {
  fx = await startFixtures();
  stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
  dir = mkdtempSync(join(tmpdir(), 'cic-sharing-'));
  store = openSqliteStore(join(dir, 'collector.db'));
  port = await closedTcpPort();
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await collector?.stop();
  await store?.close();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('opt-in sharing in Chromium', () => {
  const catalog = () => testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });

  it('sends nothing and queues nothing while sharing is off', async () => {
    await startCollector();
    await ext.ask({ type: 'runCheck', catalog: catalog() });
    expect(await queued()).toEqual([]);
    expect(await store.count()).toBe(0);
  });

  it('delivers an anonymised report once the user opts in', async () => {
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { shareResults: true, collectorUrl: url } }),
      [STORAGE_KEYS.settings, `http://127.0.0.1:${port}`],
    );
    const report = await ext.ask({ type: 'runCheck', catalog: catalog() });
    await expect.poll(() => store.count(), { timeout: 10_000 }).toBe(1);
    const sent = received.at(-1);
    const parsed = parseSharedReport(sent);
    expect(parsed.ok).toBe(true);
    const text = JSON.stringify(sent);
    // No address, candidate, port of a mapped address, local report id or precise time left the device.
    expect(text).not.toMatch(/127\.0\.0\.1|203\.0\.113|candidate|raddr/);
    expect(text).not.toContain(report.id);
    expect(text).not.toContain(report.startedAt);
    expect(parsed.ok && parsed.report.apps.map((a) => a.appId).sort()).toEqual(['blocked-app', 'open-app', 'reset-app']);
    expect(await queued()).toEqual([]);
    // The collector logged the request without the client address.
    expect(logLines.join('\n')).not.toContain('127.0.0.1');
  });

  it('queues while the collector is down and delivers exactly once when it is back', async () => {
    await collector?.stop();
    collector = null;
    await ext.ask({ type: 'runCheck', catalog: catalog() });
    await expect.poll(async () => (await queued()).length, { timeout: 10_000 }).toBe(1);
    expect(await store.count()).toBe(1);

    await startCollector();
    // The retry is due a minute later (backoff): let that minute pass in storage, then fire the alarm as the browser would.
    await ext.worker.evaluate(async (key) => {
      const items = ((await chrome.storage.local.get(key))[key] ?? []) as { notBefore: number }[];
      await chrome.storage.local.set({ [key]: items.map((item) => ({ ...item, notBefore: 0 })) });
      await chrome.alarms.create('share-retry', { when: Date.now() + 50 });
    }, STORAGE_KEYS.shareQueue);
    await expect.poll(() => store.count(), { timeout: 15_000 }).toBe(2);
    await expect.poll(async () => (await queued()).length, { timeout: 5_000 }).toBe(0);
    const ids = received.map((body) => (body as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('deletes what is queued when the user opts out', async () => {
    await collector?.stop();
    collector = null;
    await ext.ask({ type: 'runCheck', catalog: catalog() });
    await expect.poll(async () => (await queued()).length, { timeout: 10_000 }).toBe(1);
    await ext.worker.evaluate((key) => chrome.storage.local.set({ [key]: { shareResults: false } }), STORAGE_KEYS.settings);
    await expect.poll(async () => (await queued()).length, { timeout: 5_000 }).toBe(0);
  });

  it('shows what other shared checks say about this network', async () => {
    // Stats cover whole UTC days that are over (no two answers differ by a part of a day): the reports arrive
    // today, and the question is asked from tomorrow.
    let aheadMs = 0;
    await startCollector(undefined, () => new Date(Date.now() + aheadMs));
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { shareResults: true, collectorUrl: url } }),
      [STORAGE_KEYS.settings, `http://127.0.0.1:${port}`],
    );
    // Five reports make a cell the collector publishes.
    for (let i = 0; i < 3; i += 1) await ext.ask({ type: 'runCheck', catalog: catalog() });
    await expect.poll(() => store.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    aheadMs = 25 * 3_600_000;
    const { stats } = await ext.ask({ type: 'getCrowdStats' });
    const blocked = stats?.apps.find((a) => a.appId === 'blocked-app');
    expect(blocked?.total).toBeGreaterThanOrEqual(5);
    expect(blocked?.blocked).toBe(blocked?.total);
  });

  it('takes a newer catalog from the collector only if its signature checks out, and never an older one', async () => {
    await collector?.stop();
    const refresh = async () => (await ext.ask({ type: 'refreshCatalog' })).result;
    const override = () =>
      ext.worker.evaluate((key) => chrome.storage.local.get(key).then((s) => (s[key] as { version?: string } | undefined)?.version), STORAGE_KEYS.catalogOverride);
    const newer = { ...catalog(), version: '2099.01.01' };

    const otherKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await startCollector({ catalog: newer, privateKey: otherKey });
    expect(await refresh()).toBe('rejected');
    expect(await override()).toBeUndefined();
    await collector?.stop();

    await startCollector({ catalog: newer, privateKey: TEST_CATALOG_PRIVATE_KEY });
    expect(await refresh()).toBe('updated');
    expect(await override()).toBe('2099.01.01');
    await collector?.stop();

    await startCollector({ catalog: { ...newer, version: '2098.12.31' }, privateKey: TEST_CATALOG_PRIVATE_KEY });
    expect(await refresh()).toBe('current');
    expect(await override()).toBe('2099.01.01');
    await ext.worker.evaluate((key) => chrome.storage.local.remove(key), STORAGE_KEYS.catalogOverride);
  });

  it('logged no errors', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});
