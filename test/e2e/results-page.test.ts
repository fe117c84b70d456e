// The collector's public results page in real Chromium, filled with generated reports: en/ar/fr, its CSP, axe, screenshots, and the popup's link to it.
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticGeo } from '../../src/collector/geo';
import bundledCatalog from '../../src/core/catalog.json';
import { parseCatalog } from '../../src/core/catalog';
import { errorText } from '../../src/core/error-text';
import { STORAGE_KEYS } from '../../src/core/messages';
import { defaultSettings } from '../../src/core/settings';
import { fillStore, fixtureReports } from '../collector/results-fixture';
import { startLocalCollector, type LocalCollector } from '../../tools/local-collector';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { LANGUAGES, SHOTS, axeScan, shoot, text, type Language } from './page-checks';
import { attributeOf, byRole, click, countOf, find, pageOpenedBy, textOf } from './page-query';

/** The collector's clock: the generated reports fill the 30 days before it. */
const NOW = new Date('2026-06-18T14:00:00Z');
const COUNTRY_NAME: Record<Language, string> = { en: 'Morocco', ar: 'المغرب', fr: 'Maroc' };

let collector: LocalCollector;
let collectorUrl: string;
let ext: ExtensionSession;
const paths = () => collector.logLines.map((line) => (JSON.parse(line) as { path?: string }).path ?? '');

/** A tab on the collector, with every console error and CSP violation it reports. */
async function openResults(path: string, width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await ext.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warn') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(errorText(error)));
  await page.setViewport({ width, height: 800 });
  const response = await page.goto(`${collectorUrl}${path}`);
  expect(response?.status()).toBe(200);
  return { page, errors };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const catalog = parseCatalog(bundledCatalog);
  if (!catalog.ok) throw new Error(catalog.error);
  collector = await startLocalCollector({
    fill: (store) => fillStore(store, fixtureReports(NOW, 30)),
    // The browser's requests come from loopback: the collector places them in Morocco, as it would a Moroccan address.
    geo: createStaticGeo({ '127.0.0.1': { cc: 'MA', asn: 36903 } }),
    catalog: catalog.catalog,
    now: () => NOW,
  });
  collectorUrl = collector.url;
  ext = await launchExtension();
});

afterAll(async () => {
  await ext?.close();
  await collector?.stop();
});

describe.each(LANGUAGES)('results page in %s', (language) => {
  it('shows the world map coloured where reports were published, points the visitor at its country, styled under its CSP, with no serious axe issue', async () => {
    const { page, errors } = await openResults(`/?lang=${language}`, 1024);
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([language, language === 'ar' ? 'rtl' : 'ltr']);
    expect(await textOf(page, 'h1')).toBe(text(language, 'results_title'));
    // The five countries of the generated reports, each a link to its page; every other shape uncoloured.
    const coloured = await page.$$eval('svg.map a', (links) => links.map((a) => a.getAttribute('href')));
    expect(coloured.sort()).toEqual(['AE', 'DZ', 'EG', 'FR', 'MA'].map((cc) => `/country/${cc}?lang=${language}`));
    expect(await attributeOf(page, '.here-note', 'data-here')).toBe('MA');
    expect(await countOf(page, 'svg.map path.here')).toBe(1);
    // The stylesheet applied: the CSP's hash matches it (a refused one leaves the body full width, and logs an error).
    expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('960px');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.swatch.c3') ?? document.body).backgroundColor)).toBe('rgb(178, 24, 43)');
    expect(await axeScan(page)).toEqual([]);
    await shoot(page, `results-${language}-world`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("opens the visitor's country from the note: networks × apps with the small network suppressed, and a timeline per app", async () => {
    const { page, errors } = await openResults(`/?lang=${language}`, 390);
    await Promise.all([page.waitForNavigation(), click(page, '.here-note a')]);
    expect(page.url()).toBe(`${collectorUrl}/country/MA?lang=${language}`);
    expect(await textOf(page, 'h1')).toBe(text(language, 'results_country_title').replace('$1', COUNTRY_NAME[language]));
    expect(await countOf(page, 'tr[data-asn="36903"] td[data-cell="counts"]')).toBe(3);
    expect(await countOf(page, 'tr[data-asn="6713"] td[data-cell="suppressed"]')).toBe(3);
    expect(await countOf(page, 'tr[data-asn="6713"] td[data-cell="counts"]')).toBe(0);
    expect(await textOf(page, 'tr[data-asn="6713"]')).toContain(text(language, 'results_suppressed').replace('$1', '5'));
    expect(await countOf(page, 'svg.timeline')).toBe(3);
    expect(await axeScan(page)).toEqual([]);
    await shoot(page, `results-${language}-country-MA-phone`);
    await page.setViewport({ width: 1024, height: 800 });
    await shoot(page, `results-${language}-country-MA`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("the popup's link", () => {
  it('opens the results page in a tab, in the popup language, with sharing off and nothing sent to the collector by the extension', async () => {
    await ext.worker.evaluate((items) => chrome.storage.local.set(items), {
      [STORAGE_KEYS.settings]: { ...defaultSettings, language: 'fr', collectorUrl },
    });
    const logged = collector.logLines.length;
    const popup = await ext.newPage();
    await popup.setViewport({ width: 380, height: 700 });
    await popup.goto(`chrome-extension://${ext.extensionId}/src/popup/index.html`);
    const link = byRole('link', text('fr', 'results_see_others'));
    await find(popup, link);
    expect(await axeScan(popup)).toEqual([]);
    await shoot(popup, 'popup-fr-results-link');
    // Opening the popup (and the check it starts) asks the collector for nothing: sharing is off.
    expect(paths().slice(logged)).toEqual([]);
    const tab = await pageOpenedBy(ext.browser, () => click(popup, link));
    expect(tab.url()).toBe(`${collectorUrl}/?lang=fr`);
    expect(await textOf(tab, 'h1')).toBe(text('fr', 'results_title'));
    // The tab's own navigation is the only request: one GET / (and whatever the tab itself asks, such as an icon).
    const since = paths().slice(logged);
    expect(since.filter((path) => path === '/')).toHaveLength(1);
    expect(since.filter((path) => path.startsWith('/v1/'))).toEqual([]);
    const settings = await ext.worker.evaluate((key) => chrome.storage.local.get(key).then((s) => s[key] as { shareResults?: boolean }), STORAGE_KEYS.settings);
    expect(settings.shareResults).toBe(false);
    await tab.close();
    await popup.close();
  });
});
