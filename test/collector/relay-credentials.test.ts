// The extension's relay-credentials cache against the real collector app: nothing asked while the setting is off, one request per TTL while on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayCredentials } from '../../src/background/relay-credentials';
import { createApp } from '../../src/collector/app';
import type { RelayConfig } from '../../src/collector/config';
import { createJsonLogger } from '../../src/collector/logger';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { defaultSettings, type Settings } from '../../src/core/settings';
import { geo } from './fixtures';

const relay: RelayConfig = { secret: 'x'.repeat(32), host: 'relay.canicall.test', port: 3478, tlsPort: 443, ttlSeconds: 600, reflectorPorts: [3480] };
const dir = mkdtempSync(join(tmpdir(), 'canicall-relay-cache-'));
let store: Store;
beforeAll(() => {
  store = openSqliteStore(join(dir, 'collector.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real collector app, its clock and the requests it received; the extension's clock can move on its own. */
function setup(options: { relay?: RelayConfig | null; down?: boolean; answer?: () => Response } = {}) {
  let clock = Date.parse('2026-06-18T14:00:00Z');
  const requests: string[] = [];
  const app = createApp({
    store,
    geo,
    rateLimit: null,
    logger: createJsonLogger(() => undefined),
    relay: options.relay === undefined ? relay : options.relay,
    now: () => new Date(clock),
  });
  let settings: Settings = { ...defaultSettings, collectorUrl: 'https://collector.canicall.test' };
  const get = createRelayCredentials({
    settings: () => Promise.resolve(settings),
    fetch: async (url, init) => {
      requests.push(url.href);
      if (options.down === true) throw new TypeError('Failed to fetch');
      if (options.answer !== undefined) return options.answer();
      return app.request(url.pathname, init, { incoming: { socket: { remoteAddress: '203.0.113.7' } } });
    },
    now: () => clock,
  });
  return {
    get,
    requests,
    set: (change: Partial<Settings>) => {
      settings = { ...settings, ...change };
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('relay credentials in the extension', () => {
  it('asks for nothing while the setting is off (the default), and drops what it had when it is turned off', async () => {
    const t = setup();
    expect(defaultSettings.callTestRelay).toBe(false);
    expect(await t.get()).toMatchObject({ ok: false, problem: 'off' });
    expect(await t.get()).toMatchObject({ ok: false, problem: 'off' });
    expect(t.requests).toEqual([]);

    t.set({ callTestRelay: true });
    expect(await t.get()).toMatchObject({ ok: true });
    expect(t.requests).toHaveLength(1);
    t.set({ callTestRelay: false });
    expect(await t.get()).toMatchObject({ ok: false, problem: 'off' });
    expect(t.requests).toHaveLength(1);
    // Turned on again: the old credentials are gone, so it asks anew.
    t.set({ callTestRelay: true });
    expect(await t.get()).toMatchObject({ ok: true });
    expect(t.requests).toHaveLength(2);
  });

  it('caches until a minute before expiry, shares one request between concurrent callers, and asks again for another collector', async () => {
    const t = setup();
    t.set({ callTestRelay: true });
    const [a, b] = await Promise.all([t.get(), t.get()]);
    expect(t.requests).toEqual(['https://collector.canicall.test/v1/turn-credentials']);
    expect(a).toEqual(b);
    if (!a.ok) throw new Error(a.detail);
    expect(a.credentials.uris[0]).toBe('turn:relay.canicall.test:3478?transport=udp');
    t.advance(538_000);
    expect(await t.get()).toEqual(a);
    expect(t.requests).toHaveLength(1);
    t.advance(2_000);
    const renewed = await t.get();
    expect(t.requests).toHaveLength(2);
    expect(renewed.ok && renewed.credentials.username).not.toBe(a.credentials.username);
    t.set({ collectorUrl: 'https://other.canicall.test' });
    await t.get();
    expect(t.requests.at(-1)).toBe('https://other.canicall.test/v1/turn-credentials');
  });

  it('gives a reason, never a throw, when the collector is down, has no relay, or answers nonsense', async () => {
    const down = setup({ down: true });
    down.set({ callTestRelay: true });
    expect(await down.get()).toMatchObject({ ok: false, problem: 'collector_unreachable', detail: 'Failed to fetch' });

    const none = setup({ relay: null });
    none.set({ callTestRelay: true });
    expect(await none.get()).toMatchObject({ ok: false, problem: 'relay_unavailable' });

    const html = setup({ answer: () => new Response('<html>', { status: 200 }) });
    html.set({ callTestRelay: true });
    expect(await html.get()).toMatchObject({ ok: false, problem: 'invalid_answer' });

    const shape = setup({ answer: () => Response.json({ username: 'alice', credential: 'pw' }) });
    shape.set({ callTestRelay: true });
    expect(await shape.get()).toMatchObject({ ok: false, problem: 'invalid_answer', detail: expect.stringContaining('username') });

    const error = setup({ answer: () => new Response('', { status: 500 }) });
    error.set({ callTestRelay: true });
    expect(await error.get()).toMatchObject({ ok: false, problem: 'collector_unreachable', detail: 'the collector answered HTTP 500' });
    // A failure is not cached: the next call asks again.
    await error.get();
    expect(error.requests).toHaveLength(2);
  });
});
