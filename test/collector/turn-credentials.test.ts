// GET /v1/turn-credentials against a real coturn (use-auth-secret): minted credentials allocate a relay, wrong or expired ones do not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import type { AppOptions } from '../../src/collector/app';
import { createJsonLogger } from '../../src/collector/logger';
import { createTokenBucketLimiter } from '../../src/collector/rate-limit';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { mintTurnCredentials, turnPassword } from '../../src/collector/turn-credentials';
import { credentialsExpireAt, parseTurnCredentials, type TurnCredentials } from '../../src/core/turn-credentials';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { relayedAddress, stunBinding, turnAllocate } from '../support/turn-client';
import { ADDRESSES, geo } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'canicall-turn-'));
let store: Store;
let relay: TestRelay;

beforeAll(async () => {
  store = openSqliteStore(join(dir, 'collector.db'));
  relay = await startTestRelay({ reflectorPorts: [0] });
});
afterAll(async () => {
  await relay.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function makeApp(overrides: Partial<AppOptions> = {}, lines: string[] = []) {
  return createApp({ store, geo, rateLimit: null, logger: createJsonLogger((line) => lines.push(line)), relay: relay.relay, ...overrides });
}

async function fetchCredentials(app: ReturnType<typeof createApp>, from: string = ADDRESSES.algeria): Promise<Response> {
  return Promise.resolve(app.request('/v1/turn-credentials', {}, { incoming: { socket: { remoteAddress: from } } }));
}

async function credentialsFrom(app: ReturnType<typeof createApp>): Promise<TurnCredentials> {
  const res = await fetchCredentials(app);
  expect(res.status).toBe(200);
  const parsed = parseTurnCredentials(await res.json());
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.credentials;
}

describe('GET /v1/turn-credentials', () => {
  it('answers credentials in the agreed shape, not cacheable, valid for the TTL', async () => {
    const before = Date.now();
    const res = await fetchCredentials(makeApp());
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as TurnCredentials;
    expect(parseTurnCredentials(body).ok).toBe(true);
    expect(body.ttl).toBe(600);
    expect(body.uris).toEqual([`turn:127.0.0.1:${relay.port}?transport=udp`, `turn:127.0.0.1:${relay.port}?transport=tcp`]);
    expect(body.reflector).toEqual({ host: '127.0.0.1', port: relay.port, ports: relay.reflectorPorts });
    expect(credentialsExpireAt(body)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(credentialsExpireAt(body)).toBeLessThanOrEqual(Date.now() + 600_000);
    // A fresh tag each time: nothing links two answers.
    const again = (await (await fetchCredentials(makeApp())).json()) as TurnCredentials;
    expect(again.username.split(':')[1]).not.toBe(body.username.split(':')[1]);
  });

  it('lets a real coturn allocate a relay with the minted credentials', async () => {
    const credentials = await credentialsFrom(makeApp());
    const answer = await turnAllocate('127.0.0.1', relay.port, credentials.username, credentials.credential);
    expect(answer.kind).toBe('success');
    expect(relayedAddress(answer)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('is refused by coturn with a wrong credential, another secret, or once expired', async () => {
    const credentials = await credentialsFrom(makeApp());
    const wrong = await turnAllocate('127.0.0.1', relay.port, credentials.username, turnPassword('not-the-relay-secret', credentials.username));
    expect(wrong).toMatchObject({ kind: 'error', code: 401 });
    // Another tag under the same signature: the HMAC covers the whole username.
    const forged = await turnAllocate('127.0.0.1', relay.port, credentials.username.replace(/:.*/, ':0000000000000000'), credentials.credential);
    expect(forged).toMatchObject({ kind: 'error', code: 401 });
    // Minted by the collector's own code, but ten minutes and a second ago.
    const expired = mintTurnCredentials(relay.relay, Date.now() - 601_000);
    expect(await turnAllocate('127.0.0.1', relay.port, expired.username, expired.credential)).toMatchObject({ kind: 'error', code: 401 });
  });

  it('names reflector ports on which the relay answers STUN Binding', async () => {
    const credentials = await credentialsFrom(makeApp());
    expect(credentials.reflector.ports).toHaveLength(1);
    for (const port of credentials.reflector.ports) expect((await stunBinding(credentials.reflector.host, port)).kind).toBe('success');
  });

  it('answers 503 with a reason when no relay is configured', async () => {
    const res = await fetchCredentials(makeApp({ relay: null }));
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'no call-test relay is configured on this collector' });
  });

  it('is rate-limited per client with 429 and Retry-After, and logs no address', async () => {
    const lines: string[] = [];
    const app = makeApp({ rateLimit: createTokenBucketLimiter({ burst: 2, perMinute: 1 }) }, lines);
    expect((await fetchCredentials(app)).status).toBe(200);
    expect((await fetchCredentials(app)).status).toBe(200);
    const limited = await fetchCredentials(app);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetchCredentials(app, ADDRESSES.france)).status).toBe(200);
    const log = lines.join('\n');
    expect(log).toContain('"path":"/v1/turn-credentials"');
    expect(log).toContain('"outcome":"credentials"');
    for (const address of [ADDRESSES.algeria, ADDRESSES.france, '2001:db8']) expect(log).not.toContain(address);
  });

  it('allows extension origins by CORS', async () => {
    const origin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const res = await Promise.resolve(makeApp().request('/v1/turn-credentials', { headers: { origin } }, { incoming: { socket: { remoteAddress: ADDRESSES.algeria } } }));
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
