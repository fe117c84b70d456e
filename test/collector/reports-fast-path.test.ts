// POST /v1/reports on the Node server (reports-fast-path.ts, without Hono) answers exactly as the Hono app does in process:
// status, headers, body, the log line and the address the geo lookup and the rate limit see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import type { AppOptions } from '../../src/collector/app';
import type { Geo } from '../../src/collector/geo';
import { listen } from '../../src/collector/http-server';
import type { RunningServer } from '../../src/collector/http-server';
import { createJsonLogger } from '../../src/collector/logger';
import { createTokenBucketLimiter } from '../../src/collector/rate-limit';
import type { RateLimiter } from '../../src/collector/rate-limit';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import { StoreUnavailableError } from '../../src/collector/store';
import type { Store } from '../../src/collector/store';
import { ADDRESSES, catalog, geo, NOW, sharedReport } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'canicall-fast-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Headers each side's transport adds on its own (Node: connection and length; the web Response: none). */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Request {
  body: string;
  headers: Record<string, string>;
}

interface Side {
  send(request: Request): Promise<Answer>;
  /** The log lines so far, less their time and duration. */
  logs(): unknown[];
  /** The addresses the geo lookup was asked about. */
  looked: string[];
}

async function answerOf(res: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** Each side gets its own rate limiter (limit() is called once per side), store and geo. */
type Variant = Partial<Pick<AppOptions, 'trustProxy'>> & { limit?: () => RateLimiter; store?: (store: Store) => Store; geo?: Geo };

const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

/** One app, with its own store, log and geo record: served by Hono in process, or by a real Node server. */
async function side(kind: 'hono' | 'node', variant: Variant): Promise<Side> {
  const store = openSqliteStore(join(dir, `${kind}-${Math.random().toString(36).slice(2)}.db`));
  const lines: string[] = [];
  const looked: string[] = [];
  const baseGeo = variant.geo ?? geo;
  const app = createApp({
    store: variant.store?.(store) ?? store,
    geo: { lookup: (address) => (looked.push(address), baseGeo.lookup(address)) },
    rateLimit: variant.limit?.() ?? null,
    trustProxy: variant.trustProxy ?? false,
    logger: createJsonLogger((line) => lines.push(line)),
    catalog,
    now: () => NOW,
  });
  const logs = () =>
    lines.map((line) => {
      const fields = JSON.parse(line) as Record<string, unknown>;
      delete fields.time;
      delete fields.ms;
      return fields;
    });
  if (kind === 'hono') {
    opened.push(() => store.close());
    return {
      send: async ({ body, headers }) =>
        answerOf(
          await app.request('/v1/reports', { method: 'POST', headers, body }, { incoming: { socket: { remoteAddress: ADDRESSES.morocco } } }),
        ),
      logs,
      looked,
    };
  }
  const server: RunningServer = await listen(app, '127.0.0.1', 0);
  opened.push(async () => {
    await server.stop(1_000);
    await store.close();
  });
  return {
    send: async ({ body, headers }) => answerOf(await fetch(`http://127.0.0.1:${server.port}/v1/reports`, { method: 'POST', headers, body })),
    logs,
    looked,
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const CHROME = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const FIREFOX = 'moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

/** Sends the same requests to both sides, in order, and expects the same answers and log lines. */
async function expectSame(variant: Variant, requests: readonly Request[]): Promise<Answer[]> {
  const hono = await side('hono', variant);
  const node = await side('node', variant);
  const answers: Answer[] = [];
  for (const request of requests) {
    const expected = await hono.send(request);
    expect(await node.send(request)).toEqual(expected);
    answers.push(expected);
  }
  expect(node.logs()).toEqual(hono.logs());
  expect(node.looked).toEqual(hono.looked);
  return answers;
}

describe('POST /v1/reports on the Node server answers as the Hono app', () => {
  it('accepts, refuses a replay, and sets CORS for extension origins only, with every security header', async () => {
    const report = JSON.stringify(sharedReport());
    const answers = await expectSame({}, [
      { body: report, headers: { ...JSON_TYPE, origin: CHROME } },
      { body: report, headers: { ...JSON_TYPE, origin: FIREFOX } },
      { body: JSON.stringify(sharedReport()), headers: { ...JSON_TYPE, origin: 'https://evil.example' } },
      { body: JSON.stringify(sharedReport()), headers: { 'content-type': 'application/json; charset=utf-8' } },
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(answers[0]?.headers['access-control-allow-origin']).toBe(CHROME);
    expect(answers[1]?.headers['access-control-allow-origin']).toBe(FIREFOX);
    expect(answers[2]?.headers).not.toHaveProperty('access-control-allow-origin');
    expect(answers[0]?.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" });
  });

  it('refuses with the same status and message: media type, size, JSON, report, hour', async () => {
    const answers = await expectSame({}, [
      { body: JSON.stringify(sharedReport()), headers: { 'content-type': 'text/plain' } },
      { body: JSON.stringify(sharedReport()), headers: { 'content-type': 'application/json; charset=latin1' } },
      { body: JSON.stringify(sharedReport()), headers: {} },
      { body: 'x'.repeat(70 * 1024), headers: JSON_TYPE },
      { body: '{"schema":', headers: JSON_TYPE },
      { body: '{}', headers: JSON_TYPE },
      { body: JSON.stringify(sharedReport({ hour: '2026-06-20T14:00:00Z' })), headers: JSON_TYPE },
    ]);
    expect(answers.map((a) => a.status)).toEqual([415, 415, 415, 413, 400, 400, 400]);
  });

  it('rate-limits with Retry-After', async () => {
    const answers = await expectSame({ limit: () => createTokenBucketLimiter({ burst: 2, perMinute: 1, now: () => NOW.getTime() }) }, [
      { body: JSON.stringify(sharedReport()), headers: JSON_TYPE },
      { body: '{}', headers: JSON_TYPE },
      { body: JSON.stringify(sharedReport()), headers: { ...JSON_TYPE, origin: CHROME } },
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 400, 429]);
    expect(answers[2]?.headers['retry-after']).toBe('60');
  });

  it('takes the address from our proxy when told to, for the geo lookup and the rate limit', async () => {
    const forwarded = { ...JSON_TYPE, 'x-forwarded-for': `198.51.100.1, ${ADDRESSES.algeria}` };
    const answers = await expectSame({ trustProxy: true, limit: () => createTokenBucketLimiter({ burst: 1, perMinute: 1, now: () => NOW.getTime() }) }, [
      { body: JSON.stringify(sharedReport()), headers: forwarded },
      { body: JSON.stringify(sharedReport()), headers: JSON_TYPE },
      { body: JSON.stringify(sharedReport()), headers: forwarded },
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 429]);
  });

  it('answers 503 with Retry-After when the store fails, and 500 when something else throws', async () => {
    const outage = (store: Store): Store => ({ ...store, insert: () => Promise.reject(new StoreUnavailableError('down')) });
    const broken = (store: Store): Store => ({ ...store, insert: () => Promise.reject(new Error('disk I/O error')) });
    const failingGeo: Geo = { lookup: () => Promise.reject(new TypeError('geo data corrupt')) };
    for (const variant of [{ store: outage }, { store: broken }]) {
      const [answer] = await expectSame(variant, [{ body: JSON.stringify(sharedReport()), headers: JSON_TYPE }]);
      expect(answer).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
    }
    const [answer] = await expectSame({ geo: failingGeo }, [{ body: JSON.stringify(sharedReport()), headers: { ...JSON_TYPE, origin: CHROME } }]);
    expect(answer).toMatchObject({ status: 500, body: '{"error":"internal error"}', headers: { 'access-control-allow-origin': CHROME } });
  });
});
