// The collector API test suite, run unchanged against each Store (sqlite.test.ts, postgres.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import type { AppOptions, CollectorBindings, StatsResponse } from '../../src/collector/app';
import { createCatalogSigner } from '../../src/collector/catalog-signer';
import { createJsonLogger } from '../../src/collector/logger';
import { createTokenBucketLimiter } from '../../src/collector/rate-limit';
import fc from 'fast-check';
import { StoreUnavailableError } from '../../src/collector/store';
import type { Store } from '../../src/collector/store';
import { FAILURES } from '../../src/core/failure';
import { REASONS } from '../../src/core/reasons';
import { rejudge } from '../../src/core/rejudge';
import type { Judge } from '../../src/core/rejudge';
import { ENGINE_VERSION, judge } from '../../src/core/verdict';
import type { SharedAppVerdict, SharedProbe } from '../../src/core/shared-report';
import { verifyCatalog } from '../../src/core/verify-catalog';
import { ADDRESSES, catalog, geo, NEXT_DAY, NOW, sharedReport } from './fixtures';

export interface StoreFactory {
  name: string;
  /** A fresh, empty place to store (a file path, a database URL). */
  newLocation(): Promise<string>;
  open(location: string): Promise<Store>;
  /** Every string and number stored at the location, read with the database's own client (JSON bodies opened up). */
  dump(location: string): Promise<{ strings: string[]; bodyNumbers: number[] }>;
}

const signer = createCatalogSigner(generateKeyPairSync('ed25519').privateKey);

interface PostOptions {
  from?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

type App = ReturnType<typeof createApp>;

/** Four dotted numbers not inside a longer number (the test's own copy of the rule, not the code under test). */
const IPV4_LITERAL = /(?<!\d)(\d{1,3}\.){3}\d{1,3}(?!\d)/;
/** An hour as the report carries it, or as SQLite (text) or PostgreSQL (timestamptz::text) print a stored one. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:00:00(Z|\+00(:00)?)$/;

function env(address: string): CollectorBindings {
  return { incoming: { socket: { remoteAddress: address } } };
}

function post(app: App, body: string, options: PostOptions = {}): Promise<Response> {
  const { from = ADDRESSES.morocco, contentType = 'application/json', headers = {} } = options;
  return Promise.resolve(
    app.request(
      '/v1/reports',
      { method: 'POST', headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers }, body },
      env(from),
    ),
  );
}

function postReport(app: App, report: unknown, options: PostOptions = {}): Promise<Response> {
  return post(app, JSON.stringify(report), options);
}

function get(app: App, path: string, options: { from?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return Promise.resolve(app.request(path, { headers: options.headers ?? {} }, env(options.from ?? ADDRESSES.morocco)));
}

async function statsNow(app: App, query: string): Promise<StatsResponse> {
  const res = await get(app, `/v1/stats${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as StatsResponse;
}

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: unknown };
  expect(typeof body.error).toBe('string');
  return String(body.error);
}

export function describeCollectorApi(factory: StoreFactory): void {
  describe(`collector API on ${factory.name}`, () => {
    let location: string;
    let store: Store;
    let lines: string[];
    /** The collector's clock: reports are posted at NOW; stats are read once NOW's day is over (NEXT_DAY). */
    let clock: Date;

    beforeEach(async () => {
      location = await factory.newLocation();
      store = await factory.open(location);
      lines = [];
      clock = NOW;
    });
    afterEach(async () => {
      await store.close();
    });

    /** Stats as published the day after: a day's cells are counted only once it is over. */
    async function stats(app: App, query: string): Promise<StatsResponse> {
      const before = clock;
      clock = NEXT_DAY;
      try {
        return await statsNow(app, query);
      } finally {
        clock = before;
      }
    }

    function makeApp(overrides: Partial<AppOptions> = {}): App {
      return createApp({
        store,
        geo,
        rateLimit: null,
        logger: createJsonLogger((line) => lines.push(line), () => NOW),
        catalog,
        signer,
        now: () => clock,
        ...overrides,
      });
    }

    it('answers /healthz', async () => {
      const res = await get(makeApp(), '/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz with the state of the database and the geo tables', async () => {
      const res = await get(makeApp(), '/readyz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', database: 'ok', geo: 'ready' });
    });

    it('answers 503 with Retry-After when the store cannot take the report, and the report is not stored', async () => {
      const app = makeApp({ store: { ...store, insert: () => Promise.reject(new StoreUnavailableError('queue full')) } });
      const res = await postReport(app, sharedReport());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await errorOf(res)).toMatch(/retry later/);
      expect(await store.count()).toBe(0);
    });

    describe('addresses', () => {
      const valid = sharedReport();
      const cases: [string, unknown, RegExp][] = [
        ['an app id that is an IPv4 address', { ...valid, apps: [{ ...valid.apps[0], appId: '192.168.1.10' }] }, /at apps\.0\.appId/],
        ['a target id ending in an IPv4 address', { ...valid, probes: [{ ...valid.probes[0], targetId: 'stun.10.0.0.1' }] }, /at probes\.0\.targetId/],
        ['a target id holding an address and a port', { ...valid, probes: [{ ...valid.probes[0], targetId: '198.51.100.23.54321' }] }, /at probes\.0\.targetId/],
        ['an id holding an IPv4 address as one number', { ...valid, apps: [{ ...valid.apps[0], appId: 'relay-3232235786' }] }, /at apps\.0\.appId/],
        ['an RTT that could be a port', { ...valid, quality: { ...valid.quality, rttMs: 54_321 } }, /at quality\.rttMs/],
        ['a probe duration that could be a port', { ...valid, probes: [{ ...valid.probes[0], ms: 543_210 }] }, /at probes\.0\.ms/],
      ];
      for (const [name, body, error] of cases) {
        it(`refuses ${name}, and stores and publishes nothing`, async () => {
          const app = makeApp();
          for (let i = 0; i < 5; i++) {
            const res = await postReport(app, { ...(body as object), id: sharedReport().id });
            expect(res.status).toBe(400);
            expect(await errorOf(res)).toMatch(error);
          }
          expect(await store.count()).toBe(0);
          expect((await stats(app, '')).apps).toEqual([]);
        });
      }

      it('stores only the entries whose id is in the catalog it serves', async () => {
        const app = makeApp();
        const report = sharedReport({
          apps: [...valid.apps, { ...(valid.apps[0] as SharedAppVerdict), appId: 'custom-1' }],
          probes: [
            ...valid.probes,
            { ...(valid.probes[0] as SharedProbe), targetId: 'custom-1.server' },
            // Reflection probes name only a port of our relay: kept, so the report can be judged again (rejudge.ts).
            { kind: 'ice', targetId: 'reflector.control', transport: 'udp', outcome: 'reachable', evidence: 'srflx', ms: 40 },
            { kind: 'ice', targetId: 'reflector.8801', transport: 'udp', outcome: 'filtered', evidence: 'deadline', ms: 900 },
            { kind: 'ice', targetId: 'reflector.99999', transport: 'udp', outcome: 'filtered', evidence: 'deadline', ms: 900 },
          ],
        });
        expect((await postReport(app, report)).status).toBe(202);
        const { strings } = await factory.dump(location);
        expect(strings).toContain('whatsapp');
        expect(strings).toContain('signal-chat');
        expect(strings.filter((s) => s.startsWith('custom-1'))).toEqual([]);
        expect(strings.filter((s) => s.startsWith('reflector.')).sort()).toEqual(['reflector.8801', 'reflector.control']);
      });

      it('never stores or publishes an address, whatever a report holds (property)', async () => {
        const ipv4 = fc.ipV4();
        const ip = fc.oneof(ipv4, fc.ipV6(), fc.ipV4Extended());
        const port = fc.integer({ min: 1, max: 65_535 });
        const knownId = fc.constantFrom('whatsapp', 'signal', 'whatsapp-web', 'signal-chat', 'whatsapp-relay-udp', 'stun-control-1');
        const id = fc.oneof(
          { weight: 12, arbitrary: knownId },
          fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
          ipv4.map((a) => `stun.${a}`),
          fc.tuple(ipv4, port).map(([a, p]) => `${a}.${p}`),
          ip,
          fc.tuple(ip, port).map(([a, p]) => `${a}:${p}`),
          fc.string(),
        );
        /** Mostly valid values, sometimes one that could carry a port: reports must get through for the property to mean something. */
        const bounded = (valid: fc.Arbitrary<number>) => fc.oneof({ weight: 9, arbitrary: valid }, fc.integer({ min: 0, max: 70_000 }));
        const ms = bounded(fc.integer({ min: 0, max: 3_000 }).map((n) => n * 10));
        const verdict = fc.constantFrom('works', 'degraded', 'blocked', 'unknown' as const);
        const reach = fc.constantFrom('reachable', 'partial', 'blocked', 'unknown' as const);
        const confidence = fc.constantFrom('high', 'medium', 'low' as const);
        const version = fc.oneof({ weight: 5, arbitrary: fc.constant('0.1.0') }, fc.stringMatching(/^\d{1,5}(\.\d{1,5}){0,3}$/), ip);
        const hostileReport = fc.record({
          schema: fc.constant(1),
          id: fc.uuid({ version: 4 }),
          hour: fc.constant(valid.hour),
          extensionVersion: version,
          catalogVersion: fc.oneof({ weight: 5, arbitrary: fc.constant('2026.06.18') }, fc.stringMatching(/^\d{4}\.\d{2}\.\d{2}(\.\d{1,4})?$/), ip),
          browser: fc.record({ family: fc.constantFrom('chrome', 'firefox'), major: bounded(fc.integer({ min: 1, max: 999 })) }),
          apps: fc.uniqueArray(
            fc.record({
              appId: id,
              verdict,
              confidence,
              messaging: reach,
              calls: reach,
              reasons: fc.uniqueArray(fc.constantFrom(...REASONS), { maxLength: 3 }),
            }),
            { maxLength: 4, selector: (a) => a.appId },
          ),
          probes: fc.array(
            fc.oneof(
              fc.record({
                kind: fc.constant('http'),
                targetId: id,
                outcome: fc.constantFrom('reachable', 'failed'),
                failure: fc.constantFrom(...FAILURES),
                ms,
              }),
              fc.record({
                kind: fc.constant('ice'),
                targetId: id,
                transport: fc.constantFrom('udp', 'tcp', 'tls'),
                outcome: fc.constantFrom('reachable', 'unreachable', 'filtered'),
                evidence: fc.constantFrom('srflx', 'relay', 'server-error', 'deadline'),
                errorCode: bounded(fc.integer({ min: 0, max: 999 })),
                ms,
              }),
            ),
            { maxLength: 3 },
          ),
          quality: fc.record({
            rttMs: bounded(fc.integer({ min: 0, max: 10_000 })),
            jitterMs: bounded(fc.integer({ min: 0, max: 10_000 })),
            lossPct: fc.constantFrom(0, 0.5, 12.3),
            mos: fc.constantFrom(1, 4.2),
          }),
        });
        const app = makeApp();
        let accepted = 0;
        await fc.assert(
          fc.asyncProperty(hostileReport, async (report) => {
            const res = await postReport(app, report);
            expect([202, 400]).toContain(res.status);
            if (res.status === 202) accepted += 1;
          }),
          { numRuns: 200 },
        );
        // Enough reports were accepted for cells to be published: the property is about what is kept, not only what is refused.
        expect(accepted).toBeGreaterThan(10);
        const { strings, bodyNumbers } = await factory.dump(location);
        expect(strings.length).toBeGreaterThan(100);
        for (const s of strings) {
          expect(s).not.toMatch(IPV4_LITERAL);
          // The only strings with a colon are hours (the report's, the receipt hour as the database prints it).
          if (s.includes(':')) expect(s).toMatch(TIMESTAMP);
        }
        // No stored number can be an ephemeral port.
        for (const n of bodyNumbers) expect(n).toBeLessThan(32_768);
        for (const query of ['', '?cc=MA', '?asn=36903', '?app=whatsapp', '?days=90']) {
          const published = JSON.stringify(await stats(app, query));
          expect(published).not.toMatch(IPV4_LITERAL);
          expect(published).not.toMatch(/::/);
        }
      }, 120_000);
    });

    describe('POST /v1/reports', () => {
      it('stores an accepted report under the country and network of the sender', async () => {
        const app = makeApp();
        const reports = Array.from({ length: 5 }, () => sharedReport());
        for (const report of reports) {
          const res = await postReport(app, report);
          expect(res.status).toBe(202);
          expect(await res.json()).toEqual({ id: report.id });
        }
        expect(await store.count()).toBe(5);
        const result = await stats(app, '?cc=MA&asn=36903');
        expect(result.apps).toEqual([
          { appId: 'signal', total: 5, works: 0, degraded: 0, blocked: 5, unknown: 0 },
          { appId: 'whatsapp', total: 5, works: 5, degraded: 0, blocked: 0, unknown: 0 },
        ]);
      });

      it('accepts a report whose sender has no known location, stores it as ZZ/AS0 and leaves it out of stats', async () => {
        const app = makeApp();
        for (let i = 0; i < 6; i++) {
          const res = await postReport(app, sharedReport(), { from: ADDRESSES.unknown });
          expect(res.status).toBe(202);
        }
        expect(await store.count()).toBe(6);
        const result = await stats(app, '');
        expect(result.apps).toEqual([]);
        expect(result.suppressed).toBe(0);
      });

      it('stores a replayed id once and answers 202 with the same id each time', async () => {
        const app = makeApp();
        const report = sharedReport();
        for (let i = 0; i < 3; i++) {
          const res = await postReport(app, report);
          expect(res.status).toBe(202);
          expect(await res.json()).toEqual({ id: report.id });
        }
        // A replay that differs in content still stores nothing: the first write wins.
        const res = await postReport(app, { ...report, apps: [] });
        expect(res.status).toBe(202);
        expect(await store.count()).toBe(1);
      });

      it('stores concurrent replays of one id once', async () => {
        const app = makeApp();
        const report = sharedReport();
        const results = await Promise.all(Array.from({ length: 8 }, () => postReport(app, report)));
        expect(results.map((r) => r.status)).toEqual(Array.from({ length: 8 }, () => 202));
        expect(await store.count()).toBe(1);
        const counts = await store.cellSums({ fromDay: '2026-06-18', untilDay: '2026-06-19', minPerCell: 1 });
        expect(counts.map((c) => c.total)).toEqual([1, 1]);
      });

      const valid = sharedReport();
      const hostile: { name: string; body: string; status: number; error: RegExp; contentType?: string | null; headers?: Record<string, string> }[] = [
        { name: 'malformed JSON', body: '{"schema":1,', status: 400, error: /not valid JSON/ },
        { name: 'an empty body', body: '', status: 400, error: /not valid JSON/ },
        { name: 'JSON null', body: 'null', status: 400, error: /invalid report/ },
        { name: 'a JSON array', body: '[]', status: 400, error: /invalid report/ },
        {
          name: 'a body over 64 KiB (streamed)',
          body: JSON.stringify({ ...valid, pad: 'x'.repeat(70_000) }),
          status: 413,
          error: /larger than 65536 bytes/,
        },
        {
          name: 'a body over 64 KiB (declared length)',
          body: JSON.stringify({ ...valid, pad: 'x'.repeat(70_000) }),
          headers: { 'content-length': String(JSON.stringify({ ...valid, pad: 'x'.repeat(70_000) }).length) },
          status: 413,
          error: /larger than/,
        },
        { name: 'a string schema version', body: JSON.stringify({ ...valid, schema: '1' }), status: 400, error: /at schema/ },
        { name: 'an object for apps', body: JSON.stringify({ ...valid, apps: {} }), status: 400, error: /at apps/ },
        {
          name: 'a string duration',
          body: JSON.stringify({ ...valid, probes: [{ kind: 'http', targetId: 'a', outcome: 'reachable', ms: '10' }] }),
          status: 400,
          error: /at probes\.0\.ms/,
        },
        {
          name: 'a duration not rounded to 10 ms',
          body: JSON.stringify({ ...valid, probes: [{ kind: 'http', targetId: 'a', outcome: 'reachable', ms: 123 }] }),
          status: 400,
          error: /rounded to 10 ms/,
        },
        { name: 'an extra top-level key (an address)', body: JSON.stringify({ ...valid, ip: '192.0.2.1' }), status: 400, error: /at ip/ },
        {
          name: 'an extra nested key',
          body: JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], advice: ['TRY_VPN'] }] }),
          status: 400,
          error: /at apps\.0\.advice/,
        },
        {
          name: 'a reason code no engine emits (APP_RETIRED, dropped from the schema)',
          body: JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], reasons: ['APP_RETIRED'] }] }),
          status: 400,
          error: /at apps\.0\.reasons\.0/,
        },
        {
          name: 'an ICE candidate in a probe',
          body: JSON.stringify({
            ...valid,
            probes: [{ ...valid.probes[2], candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host' }],
          }),
          status: 400,
          error: /at probes\.0\.candidate/,
        },
        {
          name: 'SQL injection in an app id',
          body: JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], appId: "x'); DROP TABLE reports;--" }] }),
          status: 400,
          error: /at apps\.0\.appId/,
        },
        { name: 'SQL injection in the report id', body: JSON.stringify({ ...valid, id: "1' OR '1'='1" }), status: 400, error: /at id/ },
        {
          name: 'an RTL override in an app id',
          body: JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], appId: 'whats\u202eppa' }] }),
          status: 400,
          error: /at apps\.0\.appId/,
        },
        {
          name: 'a NUL in a target id',
          body: JSON.stringify({ ...valid, probes: [{ ...valid.probes[0], targetId: 'whatsapp\u0000web' }] }),
          status: 400,
          error: /at probes\.0\.targetId/,
        },
        {
          name: 'a lone surrogate in an app id',
          body: JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], appId: 'x\ud800' }] }),
          status: 400,
          error: /at apps\.0\.appId/,
        },
        {
          name: 'a lone surrogate in a key',
          body: JSON.stringify({ ...valid, ['\udfff']: 1 }),
          status: 400,
          error: /invalid report/,
        },
        {
          name: 'a four-part extension version (indistinguishable from IPv4)',
          body: JSON.stringify({ ...valid, extensionVersion: '10.1.2.3' }),
          status: 400,
          error: /at extensionVersion/,
        },
        {
          name: 'duplicate app ids',
          body: JSON.stringify({ ...valid, apps: [valid.apps[0], valid.apps[0]] }),
          status: 400,
          error: /appIds are unique/,
        },
        {
          name: 'too many apps',
          body: JSON.stringify({
            ...valid,
            apps: Array.from({ length: 65 }, (_, i) => ({ ...valid.apps[0], appId: `app-${i}` })),
          }),
          status: 400,
          error: /at apps/,
        },
        {
          name: 'an hour that is not rounded',
          body: JSON.stringify({ ...valid, hour: '2026-06-18T14:23:00Z' }),
          status: 400,
          error: /at hour/,
        },
        {
          name: 'an hour in the future',
          body: JSON.stringify({ ...valid, hour: '2026-06-18T17:00:00Z' }),
          status: 400,
          error: /at hour/,
        },
        {
          name: 'an hour older than 90 days',
          body: JSON.stringify({ ...valid, hour: '2026-01-01T00:00:00Z' }),
          status: 400,
          error: /at hour/,
        },
        { name: 'February 30th', body: JSON.stringify({ ...valid, hour: '2026-02-30T10:00:00Z' }), status: 400, error: /at hour/ },
        { name: 'text/plain', body: JSON.stringify(valid), contentType: 'text/plain', status: 415, error: /application\/json/ },
        { name: 'no content type', body: JSON.stringify(valid), contentType: null, status: 415, error: /application\/json/ },
        {
          name: 'a non-UTF-8 charset',
          body: JSON.stringify(valid),
          contentType: 'application/json; charset=iso-8859-1',
          status: 415,
          error: /UTF-8/,
        },
        {
          name: 'form encoding',
          body: 'schema=1',
          contentType: 'application/x-www-form-urlencoded',
          status: 415,
          error: /application\/json/,
        },
      ];

      for (const c of hostile) {
        it(`refuses ${c.name} with ${c.status} and stores nothing`, async () => {
          const app = makeApp();
          const res = await post(app, c.body, {
            ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
            ...(c.headers === undefined ? {} : { headers: c.headers }),
          });
          expect(res.status).toBe(c.status);
          expect(res.headers.get('content-type')).toMatch(/^application\/json/);
          const error = await errorOf(res);
          expect(error).toMatch(c.error);
          expect(error.length).toBeLessThanOrEqual(301);
          expect(await store.count()).toBe(0);
        });
      }

      it('refuses bytes that are not UTF-8 inside an id', async () => {
        const app = makeApp();
        const text = JSON.stringify({ ...valid, apps: [{ ...valid.apps[0], appId: 'AAAA' }] });
        const bytes = Buffer.from(text, 'utf8');
        bytes.set([0xff, 0xfe, 0xc0, 0x80], bytes.indexOf('AAAA'));
        const res = await Promise.resolve(
          app.request(
            '/v1/reports',
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(bytes) },
            env(ADDRESSES.morocco),
          ),
        );
        expect(res.status).toBe(400);
        expect(await errorOf(res)).toMatch(/at apps\.0\.appId/);
        expect(await store.count()).toBe(0);
      });

      it('still works after SQL injection attempts (the tables are intact)', async () => {
        const app = makeApp();
        await postReport(app, { ...valid, apps: [{ ...valid.apps[0], appId: "a'; DROP TABLE app_verdicts; --" }] });
        const res = await postReport(app, sharedReport());
        expect(res.status).toBe(202);
        expect(await store.count()).toBe(1);
      });
    });

    describe('GET /v1/stats', () => {
      async function seed(app: App, count: number, from: string, overrides: Parameters<typeof sharedReport>[0] = {}) {
        for (let i = 0; i < count; i++) expect((await postReport(app, sharedReport(overrides), { from })).status).toBe(202);
      }

      it('suppresses an app with fewer than 5 reports and shows it from the fifth', async () => {
        const app = makeApp();
        await seed(app, 4, ADDRESSES.morocco);
        await seed(app, 5, ADDRESSES.algeria);
        const morocco = await stats(app, '?cc=MA');
        expect(morocco.apps).toEqual([]);
        expect(morocco.suppressed).toBe(2);
        expect(morocco.minReportsPerCell).toBe(5);
        const algeria = await stats(app, '?cc=DZ');
        expect(algeria.apps.map((a) => [a.appId, a.total])).toEqual([
          ['signal', 5],
          ['whatsapp', 5],
        ]);
        expect(algeria.suppressed).toBe(0);
        // Together: Algeria's cells only; Morocco's 4 add nothing.
        expect((await stats(app, '')).apps.map((a) => a.total)).toEqual([5, 5]);
      });

      it('suppresses per network and day: cells below 5 count nowhere, not even where together they make 6', async () => {
        const app = makeApp();
        await seed(app, 3, ADDRESSES.morocco);
        await seed(app, 3, ADDRESSES.algeria);
        const all = await stats(app, '');
        expect(all.apps).toEqual([]);
        expect(all.suppressed).toBe(2);
        const morocco = await stats(app, '?cc=MA');
        expect(morocco.apps).toEqual([]);
        expect(morocco.suppressed).toBe(2);
      });

      it('filters by country, network, app and days', async () => {
        const app = makeApp();
        const degraded: SharedAppVerdict = {
          appId: 'whatsapp',
          verdict: 'degraded',
          confidence: 'low',
          messaging: 'reachable',
          calls: 'partial',
          reasons: ['LOSSY'],
        };
        await seed(app, 5, ADDRESSES.morocco);
        await seed(app, 6, ADDRESSES.algeria, { apps: [degraded] });
        // Received ten days before NOW: counted on its day of receipt.
        clock = new Date('2026-06-08T09:30:00Z');
        await seed(app, 7, ADDRESSES.france, { hour: '2026-06-08T09:00:00Z' });
        clock = NOW;

        const all = await stats(app, '');
        expect(all).toMatchObject({ cc: null, asn: null, app: null, days: 7, since: '2026-06-12T00:00:00Z', until: '2026-06-19T00:00:00Z' });
        expect(all.apps).toEqual([
          { appId: 'signal', total: 5, works: 0, degraded: 0, blocked: 5, unknown: 0 },
          { appId: 'whatsapp', total: 11, works: 5, degraded: 6, blocked: 0, unknown: 0 },
        ]);

        expect((await stats(app, '?cc=dz')).apps).toEqual([
          { appId: 'whatsapp', total: 6, works: 0, degraded: 6, blocked: 0, unknown: 0 },
        ]);
        const byAsn = await stats(app, '?asn=AS36903');
        expect(byAsn.asn).toBe(36903);
        expect(byAsn.apps.map((a) => a.appId)).toEqual(['signal', 'whatsapp']);
        expect((await stats(app, '?asn=36947&cc=MA')).apps).toEqual([]);
        expect((await stats(app, '?app=signal')).apps.map((a) => [a.appId, a.total])).toEqual([['signal', 5]]);

        const month = await stats(app, '?days=30');
        expect(month.apps.map((a) => [a.appId, a.total])).toEqual([
          ['signal', 12],
          ['whatsapp', 18],
        ]);
        // Whole days: on 2026-06-19 the last 10 days start on 06-09, the last 11 on 06-08.
        expect((await stats(app, '?cc=FR&days=10')).apps).toEqual([]);
        expect((await stats(app, '?cc=FR&days=11')).apps.map((a) => a.total)).toEqual([7, 7]);
      });

      it('cannot be differenced into fewer than 5 reports: every answer is a sum of whole day cells of 5 or more', async () => {
        const app = makeApp();
        // Per day (2026-06-14 to 06-18) and network, how many reports; signal is "blocked" in each.
        // The lone reports (1-4) are what a differencing attack would try to isolate.
        const plan: [string, string, number][] = [
          ['2026-06-14', ADDRESSES.morocco, 5],
          ['2026-06-15', ADDRESSES.morocco, 1],
          ['2026-06-15', ADDRESSES.algeria, 6],
          ['2026-06-16', ADDRESSES.morocco, 6],
          ['2026-06-16', ADDRESSES.algeria, 4],
          ['2026-06-17', ADDRESSES.france, 3],
          ['2026-06-17', ADDRESSES.morocco, 5],
          ['2026-06-18', ADDRESSES.morocco, 2],
        ];
        const networks: Record<string, string> = { [ADDRESSES.morocco]: 'MA', [ADDRESSES.algeria]: 'DZ', [ADDRESSES.france]: 'FR' };
        for (const [day, from, n] of plan) {
          clock = new Date(`${day}T10:20:00Z`);
          await seed(app, n, from, { hour: `${day}T10:00:00Z` });
        }
        // Read at many moments: within a day, just after midnight, after the settling time, days later.
        const moments = ['2026-06-18T10:30:00Z', '2026-06-18T23:59:00Z', '2026-06-19T00:05:00Z', '2026-06-19T00:20:00Z', '2026-06-20T12:00:00Z'];
        const filters = ['', 'cc=MA', 'cc=DZ', 'cc=FR', 'asn=36903', 'cc=MA&asn=36903', 'app=signal'];
        const answers: { moment: string; query: string; filter: string; until: string; since: string; total: number }[] = [];
        for (const moment of moments) {
          clock = new Date(moment);
          for (const filter of filters) {
            for (let days = 1; days <= 7; days++) {
              const query = `?${filter}${filter ? '&' : ''}days=${days}`;
              const result = await statsNow(app, query);
              const signal = result.apps.find((a) => a.appId === 'signal');
              // What the answer must be: the sum of the day cells of 5 or more in its window.
              const expected = plan
                .filter(([day, from, n]) => {
                  const cc = networks[from];
                  return (
                    n >= 5 &&
                    `${day}T00:00:00Z` >= result.since &&
                    `${day}T00:00:00Z` < result.until &&
                    (result.cc === null || result.cc === cc) &&
                    (result.asn === null || (cc === 'MA' && result.asn === 36903))
                  );
                })
                .reduce((sum, [, , n]) => sum + n, 0);
              expect(signal?.total ?? 0, `${moment} ${query}`).toBe(expected);
              expect(signal?.blocked ?? 0).toBe(expected);
              answers.push({ moment, query, filter, until: result.until, since: result.since, total: signal?.total ?? 0 });
            }
          }
        }
        // The attack itself (days=7 minus days=2, all countries minus one network, later minus earlier):
        // whenever one answer covers everything another does, they differ by 0 or by 5 and more.
        const covers: Record<string, string[]> = {
          '': filters,
          'cc=MA': ['cc=MA', 'asn=36903', 'cc=MA&asn=36903'],
          'asn=36903': ['asn=36903', 'cc=MA&asn=36903'],
          'app=signal': filters,
        };
        let nested = 0;
        for (const a of answers) {
          for (const b of answers) {
            const wider = (covers[a.filter] ?? [a.filter]).includes(b.filter) && a.since <= b.since && a.until >= b.until;
            if (!wider) continue;
            nested += 1;
            const diff = a.total - b.total;
            expect(diff === 0 || diff >= 5, `${a.moment} ${a.query} minus ${b.moment} ${b.query} = ${diff}`).toBe(true);
          }
        }
        expect(nested).toBeGreaterThan(1_000);
        // Today's reports are never published, and a day is published only once it has settled.
        clock = new Date('2026-06-19T00:05:00Z');
        expect((await statsNow(app, '?days=1')).until).toBe('2026-06-18T00:00:00Z');
        clock = new Date('2026-06-19T00:20:00Z');
        expect((await statsNow(app, '?days=1')).until).toBe('2026-06-19T00:00:00Z');
      }, 60_000);

      it('caches an answer until the next day is published, and says so in max-age', async () => {
        const app = makeApp();
        await seed(app, 5, ADDRESSES.morocco);
        clock = new Date('2026-06-19T23:00:00Z');
        const first = await get(app, '/v1/stats?cc=MA&asn=36903');
        expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
        expect(((await first.json()) as StatsResponse).apps.map((a) => a.total)).toEqual([5, 5]);
        // Written behind the API's back into a published day (a network's query reads the cells as they
        // are): the cached answer does not move.
        for (let i = 0; i < 5; i++) {
          await store.insert({ report: sharedReport(), cc: 'MA', asn: 36903, receivedHour: '2026-06-18T20:00:00Z' });
        }
        clock = new Date('2026-06-19T23:59:00Z');
        const cached = await get(app, '/v1/stats?cc=MA&asn=36903');
        expect(((await cached.json()) as StatsResponse).apps.map((a) => a.total)).toEqual([5, 5]);
        // The cache never outlives the publication of the next day (00:15).
        expect(cached.headers.get('cache-control')).toBe('public, max-age=960');
        clock = new Date('2026-06-20T00:16:00Z');
        const nextDay = (await statsNow(app, '?cc=MA&asn=36903')).apps.map((a) => a.total);
        expect(nextDay).toEqual([10, 10]);
      });

      it('deletes raw reports past retention and keeps the day counts behind the stats', async () => {
        const app = makeApp();
        await seed(app, 5, ADDRESSES.morocco);
        for (let i = 0; i < 3; i++) {
          await store.insert({ report: sharedReport(), cc: 'MA', asn: 36903, receivedHour: '2026-06-19T02:00:00Z' });
        }
        expect(await store.deleteReportsReceivedBefore('2026-06-19T00:00:00Z')).toBe(5);
        expect(await store.count()).toBe(3);
        expect((await stats(app, '?cc=MA')).apps.map((a) => a.total)).toEqual([5, 5]);
      });

      it("answers for the caller's own network with network=mine, without being told the address", async () => {
        const app = makeApp();
        await seed(app, 5, ADDRESSES.morocco);
        await seed(app, 6, ADDRESSES.algeria);
        clock = NEXT_DAY;
        const mine = await get(app, '/v1/stats?network=mine', { from: ADDRESSES.algeria });
        expect(mine.status).toBe(200);
        const body = (await mine.json()) as StatsResponse;
        expect(body.cc).toBe('DZ');
        expect(body.apps.map((a) => [a.appId, a.total])).toEqual([
          ['signal', 6],
          ['whatsapp', 6],
        ]);
        expect(JSON.stringify(body)).not.toContain(ADDRESSES.algeria);
      });

      it("says so when the caller's network is unknown, and refuses network=mine with cc or asn", async () => {
        const app = makeApp();
        expect((await get(app, '/v1/stats?network=mine', { from: ADDRESSES.unknown })).status).toBe(404);
        expect((await get(app, '/v1/stats?network=mine&cc=MA')).status).toBe(400);
      });

      for (const query of ['?network=theirs', '?days=0', '?days=91', '?days=abc', '?days=7.5', '?cc=MAR', '?cc=1a', '?asn=-1', '?asn=AS', '?asn=99999999999', '?app=BAD', "?app=a'--", '?foo=1', '?cc=MA&cc=DZ']) {
        it(`refuses the query ${query} with 400`, async () => {
          const res = await get(makeApp(), `/v1/stats${query}`);
          expect(res.status).toBe(400);
          expect(await errorOf(res)).toMatch(/query/);
        });
      }
    });

    describe('open data', () => {
      async function seedFrom(app: App, count: number, from: string) {
        for (let i = 0; i < count; i++) expect((await postReport(app, sharedReport(), { from })).status).toBe(202);
      }
      async function read(app: App, path: string) {
        clock = NEXT_DAY;
        const res = await get(app, path);
        return { res, text: await res.text() };
      }

      it('publishes daily aggregates as CSV and JSON Lines, cells of 5 or more only', async () => {
        const app = makeApp();
        await seedFrom(app, 4, ADDRESSES.morocco);
        await seedFrom(app, 5, ADDRESSES.algeria);
        const csv = await read(app, '/v1/aggregates?from=2026-06-18&to=2026-06-18&format=csv');
        expect(csv.res.status).toBe(200);
        expect(csv.res.headers.get('content-type')).toMatch(/^text\/csv/);
        expect(csv.res.headers.get('link')).toContain('creativecommons.org/licenses/by/4.0');
        expect(csv.text.trim().split('\r\n')).toEqual([
          'day,cc,asn,app,total,works,degraded,blocked,unknown',
          '2026-06-18,DZ,36947,signal,5,0,0,5,0',
          '2026-06-18,DZ,36947,whatsapp,5,5,0,0,0',
        ]);
        const jsonl = await read(app, '/v1/aggregates');
        expect(jsonl.text.trim().split('\n').map((l) => (JSON.parse(l) as { cc: string }).cc)).toEqual(['DZ', 'DZ']);
        expect((await read(app, '/v1/aggregates?cc=ma&format=jsonl')).text).toBe('');
        for (const bad of ['?from=2026-02-30', '?format=xml', '?from=2026-06-18&to=2026-06-01', '?from=2024-01-01&to=2026-06-18', '?x=1']) {
          expect((await get(app, `/v1/aggregates${bad}`)).status).toBe(400);
        }
      });

      it('gives a long span of aggregates whole and in day order (the SQLite store reads it a week at a time)', async () => {
        const app = makeApp();
        const days = ['2026-03-01', '2026-03-31', '2026-04-01', '2026-05-02', '2026-06-18'];
        for (const day of days) {
          clock = new Date(`${day}T09:30:00Z`);
          for (let i = 0; i < 5; i++) expect((await postReport(app, sharedReport({ hour: `${day}T09:00:00Z` }), { from: ADDRESSES.algeria })).status).toBe(202);
        }
        const csv = await read(app, '/v1/aggregates?from=2026-03-01&to=2026-06-18&format=csv&cc=DZ');
        expect(csv.res.status).toBe(200);
        const rows = csv.text.trim().split('\r\n').slice(1);
        expect(rows.map((row) => row.split(',').slice(0, 5).join(','))).toEqual(
          days.flatMap((day) => [`${day},DZ,36947,signal,5`, `${day},DZ,36947,whatsapp,5`]),
        );
      });

      it('renders the results page from the day counts: the map colours only countries with cells of 5, a cell of 4 shows as suppressed', async () => {
        const app = makeApp();
        await seedFrom(app, 4, ADDRESSES.morocco);
        await seedFrom(app, 5, ADDRESSES.algeria);
        expect(await store.countrySums({ fromDay: '2026-06-18', untilDay: '2026-06-19', minPerCell: 5 })).toEqual([
          { cc: 'DZ', total: 10, works: 5, degraded: 0, blocked: 5, unknown: 0 },
        ]);
        const world = await read(app, '/?lang=en');
        expect(world.res.status).toBe(200);
        expect(world.text).toContain('href="/country/DZ?lang=en"');
        // Neither on the map nor in the table; the visitor, from Morocco, is still pointed at its page.
        expect(world.text).not.toMatch(/<a href="\/country\/MA\?lang=en" aria-label=|<td><a href="\/country\/MA/);
        expect(world.text).toContain('data-here="MA"');
        const morocco = await read(app, '/country/MA?lang=en');
        expect(morocco.text).toMatch(/<tr data-asn="36903">.*data-cell="suppressed".*<\/tr>/);
        expect(morocco.text).not.toContain('data-cell="counts"');
        const algeria = await read(app, '/country/DZ?lang=en');
        expect(algeria.text).toContain('Blocked 5');
        expect(algeria.text).not.toContain('data-cell="suppressed"');
      });

      it("publishes a finished day's reports without upload ids, naming only networks and countries of 5 or more", async () => {
        const app = makeApp();
        await seedFrom(app, 4, ADDRESSES.morocco);
        await seedFrom(app, 5, ADDRESSES.algeria);
        await seedFrom(app, 1, ADDRESSES.unknown);
        clock = NOW;
        expect((await get(app, '/v1/reports/2026-06-18.jsonl')).status).toBe(404);
        const file = await read(app, '/v1/reports/2026-06-18.jsonl');
        expect(file.res.status).toBe(200);
        const rows = file.text.trim().split('\n').map((l) => JSON.parse(l) as { day: string; cc: string | null; asn: number | null; report: { id?: string } });
        expect(rows).toHaveLength(10);
        expect(rows.filter((r) => r.cc === 'DZ' && r.asn === 36947)).toHaveLength(5);
        expect(rows.filter((r) => r.cc === null && r.asn === null)).toHaveLength(5);
        expect(rows.every((r) => r.day === '2026-06-18' && r.report.id === undefined)).toBe(true);
        expect((await get(app, '/v1/reports/2026-13-01.jsonl')).status).toBe(404);
        expect((await get(app, '/v1/reports/latest.jsonl')).status).toBe(404);
      });

      it('serves a schema page naming the licence', async () => {
        const res = await get(makeApp(), '/data');
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain('CC BY 4.0');
        expect(html).toContain('/v1/aggregates');
      });
    });

    describe('judging stored reports again', () => {
      const NEXT = ENGINE_VERSION + 1;
      /** A rule change: WhatsApp's calls are now judged blocked whatever the evidence. */
      const stricter: Judge = (c, obs, options) => {
        const j = judge(c, obs, options);
        return { ...j, apps: j.apps.map((a) => (a.appId === 'whatsapp' ? { ...a, verdict: 'blocked' as const, calls: 'blocked' as const } : a)) };
      };
      const withEvidence = () => sharedReport({ evidence: { engine: ENGINE_VERSION, dns: [], natAnswered: ['stun-control-1'] } });
      const whatsapp = (s: StatsResponse) => s.apps.find((a) => a.appId === 'whatsapp');

      it('a changed rule changes the stored verdicts and every figure follows, on days already published', async () => {
        const app = makeApp();
        for (let i = 0; i < 6; i++) expect((await postReport(app, withEvidence())).status).toBe(202);
        // Two from an extension that sends no evidence: they cannot be judged again and keep their verdicts.
        for (let i = 0; i < 2; i++) expect((await postReport(app, sharedReport())).status).toBe(202);
        // Published (and the day's country totals summed) before the rule changes.
        expect(whatsapp(await stats(app, '?cc=MA'))).toMatchObject({ total: 8, works: 8, blocked: 0 });
        expect(await store.judgedEngine()).toBe(0);

        const result = await store.rejudgeAll(NEXT, (r) => rejudge(catalog, r, { version: NEXT, judge: stricter }));
        expect(result).toMatchObject({ scanned: 8, rejudged: 6 });
        expect(result.changedVerdicts).toBeGreaterThanOrEqual(6);
        expect(await store.judgedEngine()).toBe(NEXT);

        const fresh = makeApp();
        for (const query of ['?cc=MA', '?cc=MA&asn=36903', '', '?app=whatsapp']) {
          expect(whatsapp(await stats(fresh, query))).toMatchObject({ total: 8, works: 2, blocked: 6 });
        }
        // Judged already by this engine: a second pass changes nothing.
        expect(await store.rejudgeAll(NEXT, (r) => rejudge(catalog, r, { version: NEXT, judge: stricter }))).toMatchObject({
          scanned: 8,
          rejudged: 0,
          changedVerdicts: 0,
        });
      });

      it('the stored body says which engine judged it; a report from an older engine is judged on arrival', async () => {
        const app = makeApp({ engine: { version: NEXT, judge: stricter } });
        for (let i = 0; i < 5; i++) expect((await postReport(app, withEvidence())).status).toBe(202);
        expect(whatsapp(await stats(app, '?cc=MA'))).toMatchObject({ total: 5, blocked: 5 });
        const { strings } = await factory.dump(location);
        expect(strings).toContain('evidence');
        // Nothing older is left for a pass to change.
        expect(await store.rejudgeAll(NEXT, (r) => rejudge(catalog, r, { version: NEXT, judge: stricter }))).toMatchObject({ rejudged: 0 });
      });
    });

    describe('GET /v1/catalog', () => {
      it('serves a catalog whose signature verifies with the public key', async () => {
        const res = await get(makeApp(), '/v1/catalog');
        expect(res.status).toBe(200);
        const served: unknown = await res.json();
        const verified = await verifyCatalog(served, signer.publicKeyBase64);
        expect(verified).toEqual({ ok: true, catalog });
      });

      it('fails verification for a tampered payload, a tampered signature or another key', async () => {
        const served = (await (await get(makeApp(), '/v1/catalog')).json()) as { payload: string; signature: string };
        const payload = served.payload.replace('web.whatsapp.com', 'evil.example');
        expect(payload).not.toBe(served.payload);
        expect(await verifyCatalog({ ...served, payload }, signer.publicKeyBase64)).toEqual({
          ok: false,
          error: 'catalog signature does not match',
        });

        const bytes = Buffer.from(served.signature, 'base64');
        bytes[0] = (bytes[0] ?? 0) ^ 1;
        expect(await verifyCatalog({ ...served, signature: bytes.toString('base64') }, signer.publicKeyBase64)).toMatchObject({
          ok: false,
        });

        const other = createCatalogSigner(generateKeyPairSync('ed25519').privateKey);
        expect(await verifyCatalog(served, other.publicKeyBase64)).toMatchObject({ ok: false, error: 'catalog signature does not match' });
        expect(await verifyCatalog({ ...served, extra: 1 }, signer.publicKeyBase64)).toMatchObject({ ok: false });
        expect(await verifyCatalog(served, 'not a key')).toMatchObject({ ok: false });
      });

      it('answers 503 when no signing key is configured', async () => {
        const res = await get(makeApp({ signer: undefined }), '/v1/catalog');
        expect(res.status).toBe(503);
        expect(await errorOf(res)).toMatch(/no signed catalog/);
      });
    });

    it('rate-limits a sender with 429 and Retry-After, without affecting other senders', async () => {
      const app = makeApp({ rateLimit: createTokenBucketLimiter({ burst: 3, perMinute: 1 }) });
      for (let i = 0; i < 3; i++) expect((await postReport(app, sharedReport())).status).toBe(202);
      const limited = await postReport(app, sharedReport());
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await errorOf(limited)).toMatch(/too many requests/);
      expect((await get(app, '/v1/stats')).status).toBe(429);
      expect((await postReport(app, sharedReport(), { from: ADDRESSES.algeria })).status).toBe(202);
      expect(await store.count()).toBe(4);
    });

    it('takes the address from X-Forwarded-For only when trustProxy is set', async () => {
      const forwarded = { 'x-forwarded-for': `192.0.2.200, ${ADDRESSES.algeria}` };
      const direct = makeApp();
      for (let i = 0; i < 5; i++) await postReport(direct, sharedReport(), { from: ADDRESSES.unknown, headers: forwarded });
      // With the network in the query: the cells are read as they are, so the second half of the test sees its reports.
      expect((await stats(direct, '?cc=DZ&asn=36947')).apps).toEqual([]);

      const proxied = makeApp({ trustProxy: true });
      for (let i = 0; i < 5; i++) await postReport(proxied, sharedReport(), { from: ADDRESSES.unknown, headers: forwarded });
      expect((await stats(proxied, '?cc=DZ&asn=36947')).apps.map((a) => a.total)).toEqual([5, 5]);
    });

    it('never writes a client address to the log', async () => {
      const forwarded = '192.0.2.123';
      const app = makeApp({ rateLimit: createTokenBucketLimiter({ burst: 2, perMinute: 1 }), trustProxy: true });
      const app2 = makeApp({ rateLimit: createTokenBucketLimiter({ burst: 2, perMinute: 1 }) });
      for (const target of [app, app2]) {
        for (const from of [ADDRESSES.algeria, ADDRESSES.france, ADDRESSES.unknown]) {
          await postReport(target, sharedReport(), { from });
          await postReport(target, sharedReport(), { from, headers: { 'x-forwarded-for': forwarded } });
          await post(target, '{bad', { from });
          await postReport(target, { ...sharedReport(), ip: from }, { from });
          await get(target, '/v1/stats?cc=DZ', { from });
          await get(target, `/${from}/${forwarded}`, { from });
          await get(target, '/v1/catalog', { from, headers: { 'x-forwarded-for': forwarded } });
        }
      }
      expect(lines.length).toBeGreaterThan(20);
      const text = lines.join('');
      for (const address of [ADDRESSES.algeria, ADDRESSES.france, ADDRESSES.unknown, forwarded]) expect(text).not.toContain(address);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ msg: expect.any(String), level: expect.any(String) });
      expect(text).toContain('"status":429');
      expect(text).toContain('"outcome":"accepted"');
    });

    it('allows extension origins by CORS and no others', async () => {
      const app = makeApp();
      const preflight = (origin: string, method: string, path: string) =>
        Promise.resolve(
          app.request(
            path,
            { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } },
            env(ADDRESSES.morocco),
          ),
        );
      const chrome = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
      const firefox = 'moz-extension://0f3a5f8e-6a52-4b9e-9d3c-2f1e7c5d4b3a';
      for (const [method, path] of [
        ['POST', '/v1/reports'],
        ['GET', '/v1/stats'],
        ['GET', '/v1/catalog'],
      ] as const) {
        for (const origin of [chrome, firefox]) {
          const res = await preflight(origin, method, path);
          expect(res.status).toBe(204);
          expect(res.headers.get('access-control-allow-origin')).toBe(origin);
          expect(res.headers.get('access-control-allow-methods')).toContain(method);
        }
        const evil = await preflight('https://evil.example', method, path);
        expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      }
      const simple = await get(app, '/v1/stats', { headers: { origin: chrome } });
      expect(simple.headers.get('access-control-allow-origin')).toBe(chrome);
    });

    it('sends security headers and JSON 404s', async () => {
      const res = await get(makeApp(), '/nope');
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not found' });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    });

    it('keeps data and applies no migration twice when reopened', async () => {
      const app = makeApp();
      expect((await postReport(app, sharedReport())).status).toBe(202);
      await store.close();
      store = await factory.open(location);
      expect(await store.count()).toBe(1);
    });
  });
}
