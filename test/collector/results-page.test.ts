// The results page's views and HTML: suppression (a cell of fewer than 5 reports never shows its verdicts), languages, caching.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import type { AppOptions, CollectorBindings } from '../../src/collector/app';
import { createStaticGeo } from '../../src/collector/geo';
import { createJsonLogger } from '../../src/collector/logger';
import { pageLanguage, renderCountryPage } from '../../src/collector/results-page';
import { countryShares, countryView } from '../../src/collector/results-view';
import type { DayCell } from '../../src/collector/store';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import { ADDRESSES, catalog, geo } from './fixtures';
import { fillStore, fixtureReports } from './results-fixture';

const days = ['2026-06-15', '2026-06-16', '2026-06-17'];
const cell = (day: string, asn: number, appId: string, counts: Partial<Record<'works' | 'degraded' | 'blocked' | 'unknown', number>>): DayCell => ({
  day,
  cc: 'MA',
  asn,
  appId,
  works: 0,
  degraded: 0,
  blocked: 0,
  unknown: 0,
  ...counts,
});
const options = { minPerCell: 5, tableFromDay: days[0] ?? '', days };
const frame = { language: 'en' as const, path: '/country/MA', minPerCell: 5, licence: 'CC BY 4.0', licenceUrl: 'https://creativecommons.org/licenses/by/4.0/' };

describe('country view', () => {
  it('shows a network × app with only a cell of 4 reports as suppressed, with no verdict counts, in the table and the timeline', () => {
    const view = countryView([cell('2026-06-17', 6713, 'signal', { blocked: 3, works: 1 })], options);
    expect(view.networks).toEqual([{ asn: 6713, cells: { signal: { kind: 'suppressed' } } }]);
    expect(view.timelines).toEqual([]);
    const html = renderCountryPage(frame, { cc: 'MA', tableFromDay: days[0] ?? '', timelineFromDay: days[0] ?? '', lastDay: '2026-06-17', view, appName: (id) => id, asnName: () => undefined });
    expect(html).toContain('data-cell="suppressed"');
    expect(html).not.toMatch(/Blocked \d|Works \d/);
    expect(html).not.toContain('<rect');
  });

  it('sums only the day cells of 5 or more: four small days never add up to a published cell', () => {
    const small = days.map((day) => cell(day, 36903, 'whatsapp', { blocked: 4 }));
    const view = countryView([...small, cell('2026-06-16', 36903, 'signal', { blocked: 5, works: 2 }), cell('2026-06-17', 36903, 'signal', { works: 4 })], options);
    expect(view.networks[0]?.cells).toEqual({
      whatsapp: { kind: 'suppressed' },
      signal: { kind: 'counts', total: 7, works: 2, degraded: 0, blocked: 5, unknown: 0 },
    });
    // The timeline: one point, 5 of 7 blocked on the 16th; the 17th (4 reports) is absent, not zero.
    expect(view.timelines).toEqual([
      { appId: 'signal', points: [{ day: '2026-06-15' }, { day: '2026-06-16', measured: { total: 7, blocked: 5 } }, { day: '2026-06-17' }] },
    ]);
  });

  it('leaves out of the table the days before its window, but keeps them in the timeline', () => {
    const view = countryView([cell('2026-06-15', 3215, 'teams', { works: 6 })], { ...options, tableFromDay: '2026-06-16' });
    expect(view.networks).toEqual([]);
    expect(view.timelines[0]?.points[0]).toEqual({ day: '2026-06-15', measured: { total: 6, blocked: 0 } });
  });

  it('gives the map a share per country with figures', () => {
    const shares = countryShares([{ cc: 'EG', total: 10, works: 2, degraded: 0, blocked: 8, unknown: 0 }, { cc: 'FR', total: 0, works: 0, degraded: 0, blocked: 0, unknown: 0 }]);
    expect([...shares.values()]).toEqual([{ cc: 'EG', total: 10, blocked: 8, share: 0.8 }]);
  });
});

describe('page language', () => {
  it('takes ?lang= first, then Accept-Language by q, else English', () => {
    expect(pageLanguage('ar', 'fr')).toBe('ar');
    expect(pageLanguage('de', 'fr')).toBe('en');
    expect(pageLanguage(undefined, 'de-DE, fr-CA;q=0.8, ar;q=0.9')).toBe('ar');
    expect(pageLanguage(undefined, 'de, *;q=0.5')).toBe('en');
  });
});

describe('results page served by the collector (SQLite)', () => {
  const now = new Date('2026-06-18T14:23:45.678Z');
  const dir = mkdtempSync(join(tmpdir(), 'canicall-results-page-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let stores = 0;
  const setup = async (overrides: Partial<AppOptions> = {}) => {
    stores += 1;
    const storeDir = join(dir, `collector-${stores}`);
    const store = openSqliteStore(join(storeDir, 'collector.db'));
    await fillStore(store, fixtureReports(now, 30));
    const logger = { info: () => undefined, error: () => undefined, warn: () => undefined };
    return { store, storeDir, app: createApp({ store, geo: createStaticGeo({}), rateLimit: null, logger, catalog, now: () => now, ...overrides }) };
  };
  const from = (address: string): CollectorBindings => ({ incoming: { socket: { remoteAddress: address } } });

  it('shows the suppressed network as such and the others with their verdict mix, Arabic right to left', async () => {
    const { store, app } = await setup();
    const response = await app.request('/country/MA?lang=ar');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    const row = (asn: number) => new RegExp(`<tr data-asn="${asn}">(.*?)</tr>`).exec(html)?.[1] ?? '';
    expect(row(6713)).toContain('data-cell="suppressed"');
    expect(row(6713)).not.toContain('data-cell="counts"');
    expect(row(36903)).toContain('data-cell="counts"');
    expect(row(36903)).not.toContain('data-cell="suppressed"');
    await store.close();
  });

  it('colours only countries with published cells, answers 304 to its ETag and 404 to a code that is no country', async () => {
    const { store, app } = await setup();
    const first = await app.request('/', { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
    const html = await first.text();
    expect(html).toContain('<html lang="fr" dir="ltr">');
    expect(html).toContain('href="/country/EG?lang=fr"');
    expect(html).not.toContain('href="/country/US?lang=fr"');
    // The map names the visitor's country (found from the request): no shared cache may keep it for another.
    expect(first.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await app.request('/', { headers: { 'accept-language': 'fr', 'if-none-match': etag } })).status).toBe(304);
    expect((await app.request('/country/QQ')).status).toBe(404);
    expect((await app.request('/country/ZZ')).status).toBe(404);
    await store.close();
  });

  it('renders a page once for requests that arrive together, and does not keep a render that failed', async () => {
    const { store } = await setup();
    let reads = 0;
    let failNext = false;
    const counted: typeof store = Object.assign(Object.create(store) as typeof store, {
      dayCells: async (query: Parameters<typeof store.dayCells>[0]) => {
        reads += 1;
        if (failNext) {
          failNext = false;
          throw new Error('database is restarting');
        }
        return store.dayCells(query);
      },
    });
    const logger = { info: () => undefined, error: () => undefined, warn: () => undefined };
    const counting = createApp({ store: counted, geo: createStaticGeo({}), rateLimit: null, logger, catalog, now: () => now });
    const answers = await Promise.all(Array.from({ length: 6 }, () => counting.request('/country/MA?lang=fr')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.headers.get('etag'))).size).toBe(1);
    expect(reads).toBe(1);
    failNext = true;
    const failed = await Promise.all([counting.request('/country/EG'), counting.request('/country/EG')]);
    expect(failed.map((a) => a.status)).toEqual([503, 503]);
    expect(reads).toBe(2);
    // The failure was not cached: the next request renders it afresh.
    expect((await counting.request('/country/EG')).status).toBe(200);
    expect(reads).toBe(3);
    await store.close();
  });

  it("names the visitor's country from the request and links its page, kept by no shared cache; the country pages stay the same for everyone", async () => {
    const { store, app } = await setup({ geo });
    const moroccan = await app.request('/?lang=en', {}, from(ADDRESSES.morocco));
    const html = await moroccan.text();
    expect(html).toContain('<p class="here-note" data-here="MA">');
    expect(html).toMatch(/data-here="MA">[^<]*Morocco[^<]*<a href="\/country\/MA\?lang=en">Calls in Morocco<\/a>/);
    expect(html).toContain('<tr class="here"><td><a href="/country/MA?lang=en">');
    expect(moroccan.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    // The page cached for one country is not served to a visitor from another, nor to one from nowhere known.
    const algerian = await (await app.request('/?lang=en', {}, from(ADDRESSES.algeria))).text();
    expect(algerian).toContain('data-here="DZ"');
    expect(algerian.includes('data-here="MA"')).toBe(false);
    const unknown = await (await app.request('/?lang=en', {}, from(ADDRESSES.unknown))).text();
    // Booleans, not toContain: a failure would print the whole map.
    expect(unknown.includes('data-here')).toBe(false);
    expect(unknown.includes('class="here"')).toBe(false);
    const country = await app.request('/country/MA?lang=en', {}, from(ADDRESSES.morocco));
    expect(country.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect((await country.text()).includes('data-here')).toBe(false);
    await store.close();
  });

  it("never logs, stores or shows the visitor's address, direct or from X-Forwarded-For", async () => {
    const lines: string[] = [];
    const forwarded = '192.0.2.123';
    const { store, storeDir, app } = await setup({ geo, trustProxy: true, logger: createJsonLogger((line) => lines.push(line)) });
    const before = await store.count();
    const bodies: string[] = [];
    for (const address of Object.values(ADDRESSES)) {
      for (const path of ['/', '/?lang=ar', '/country/MA', `/country/MA?lang=fr&ip=${address}`, '/data']) {
        for (const headers of [{}, { 'x-forwarded-for': `${forwarded}, ${address}` }] as Record<string, string>[]) {
          const response = await app.request(path, { headers }, from(address));
          expect(response.status).toBe(200);
          bodies.push(await response.text(), JSON.stringify([...response.headers.entries()]));
        }
      }
    }
    // The forwarded addresses did reach the lookup: a visitor behind the proxy is placed by the last entry.
    expect(bodies.some((body) => body.includes('data-here="DZ"'))).toBe(true);
    expect(lines.length).toBe(4 * 5 * 2);
    expect(await store.count()).toBe(before);
    await store.close();
    const stored = readdirSync(storeDir).map((file) => readFileSync(join(storeDir, file)).toString('latin1'));
    expect(stored.length).toBeGreaterThan(0);
    for (const address of [...Object.values(ADDRESSES), forwarded]) {
      for (const text of [...lines, ...bodies, ...stored]) expect(text.includes(address), address).toBe(false);
    }
  });

  it('allows the page its one stylesheet by hash and nothing else: no script, no inline style attribute', async () => {
    const { store, app } = await setup();
    for (const path of ['/', '/country/MA?lang=ar', '/data']) {
      const response = await app.request(path);
      const html = await response.text();
      const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1] ?? '');
      expect(styles).toHaveLength(1);
      const hash = createHash('sha256').update(styles[0] ?? '').digest('base64');
      expect(response.headers.get('content-security-policy')).toBe(
        `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      );
      expect(/<script|\sstyle=|\son[a-z]+=/i.exec(html)?.[0]).toBeUndefined();
    }
    expect((await app.request('/v1/stats')).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    await store.close();
  });
});
