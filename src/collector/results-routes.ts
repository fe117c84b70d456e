// The public results pages, / (the world map) and /country/<cc>: server-rendered HTML without script, cached per published day, language and country.
import { createHash } from 'node:crypto';
import { compress } from 'hono/compress';
import { OPEN_DATA_LICENCE, OPEN_DATA_LICENCE_URL } from './open-data';
import { pageCsp } from './page-csp';
import { DAY_MS, MIN_REPORTS_PER_CELL, dayString, maxAgeSeconds, publishedUntilMs } from './published-days';
import { isCountryCode, worldShapes } from './results-map';
import { PAGE_STYLE, pageLanguage, renderCountryPage, renderWorldPage } from './results-page';
import { countryShares, countryView } from './results-view';
import type { CollectorApp, CollectorContext, RouteContext } from './route-context';

/** A country page: the path names a country, never anything of the visitor's. */
export const COUNTRY_PAGE = /^\/country\/([A-Za-z]{2})$/;
/** The results page: the map and the networks table sum this many days, the country timelines this many. */
export const PAGE_DAYS = 7;
export const TIMELINE_DAYS = 30;
/** Rendered pages kept per published day: every country × language, and the map for each visitor's country × language. */
const PAGE_CACHE_ENTRIES = 2_000;

export function registerResultsRoutes(app: CollectorApp, context: RouteContext): void {
  const { store, geo, now, statsGeneration } = context;
  worldShapes();
  const resultsPageCsp = pageCsp(PAGE_STYLE);
  // Each entry is the render itself, kept from its start: requests that arrive while a page renders wait for that
  // render instead of each running the country's queries again (a burst of first visitors after a new day).
  const pageCache = new Map<string, Promise<{ html: string; etag: string }>>();
  let pageCacheDay = '';
  const appNames = new Map((context.catalog?.apps ?? []).map((a) => [a.id, a.name]));
  const rendered = async (render: Promise<string>) => {
    const html = await render;
    return { html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
  };
  /** `personal`: the page names the visitor's country, so no shared cache may keep it. */
  const servePage = async (c: CollectorContext, key: string, personal: boolean, render: (untilMs: number) => Promise<string>) => {
    const t = now().getTime();
    const untilMs = publishedUntilMs(t);
    const cacheDay = `${dayString(untilMs)}/${statsGeneration()}`;
    if (cacheDay !== pageCacheDay) {
      pageCache.clear();
      pageCacheDay = cacheDay;
    }
    let pending = pageCache.get(key);
    if (pending === undefined) {
      pending = rendered(render(untilMs));
      if (pageCache.size >= PAGE_CACHE_ENTRIES) pageCache.clear();
      pageCache.set(key, pending);
    }
    let page: { html: string; etag: string };
    try {
      page = await pending;
    } catch (error) {
      // A failed render is not kept: the next request tries again.
      if (pageCache.get(key) === pending) pageCache.delete(key);
      return context.storeUnavailable(c, error);
    }
    c.header('Cache-Control', `${personal ? 'private' : 'public'}, max-age=${maxAgeSeconds(untilMs, t)}`);
    c.header('ETag', page.etag);
    c.header('Vary', 'Accept-Language');
    c.header('Content-Security-Policy', resultsPageCsp);
    // Compression weakens the tag (W/"…"); either form names this page.
    if (c.req.header('if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === page.etag) === true) return c.body(null, 304);
    return c.html(page.html);
  };
  const pageOptions = (c: CollectorContext, path: string) => ({
    language: pageLanguage(c.req.query('lang'), c.req.header('accept-language')),
    path,
    minPerCell: MIN_REPORTS_PER_CELL,
    licence: OPEN_DATA_LICENCE,
    licenceUrl: OPEN_DATA_LICENCE_URL,
  });

  app.use('/', compress());
  app.use('/country/*', compress());
  app.get('/', async (c) => {
    const options = pageOptions(c, '/');
    // As for a report: the address is used for this lookup only and goes out of scope with this handler. Only the
    // country is kept, to point the visitor at its page; it keys the cache among at most a few hundred others.
    const cc = (await geo.lookup(context.clientAddress(c) ?? ''))?.cc;
    const here = cc !== undefined && isCountryCode(cc) ? cc : undefined;
    return servePage(c, `/|${options.language}|${here ?? ''}`, true, async (untilMs) => {
      const fromDay = dayString(untilMs - PAGE_DAYS * DAY_MS);
      const sums = await store.countrySums({ fromDay, untilDay: dayString(untilMs), minPerCell: MIN_REPORTS_PER_CELL });
      return renderWorldPage(options, { fromDay, lastDay: dayString(untilMs - DAY_MS), shares: countryShares(sums), ...(here === undefined ? {} : { here }) });
    });
  });
  app.get('/country/:cc', (c) => {
    const cc = COUNTRY_PAGE.exec(c.req.path)?.[1]?.toUpperCase();
    if (cc === undefined || !isCountryCode(cc)) return c.json({ error: 'not found' }, 404);
    const path = `/country/${cc}`;
    const options = pageOptions(c, path);
    return servePage(c, `${path}|${options.language}`, false, async (untilMs) => {
      // The page names each network and is kept for the day: rendered before the names have loaded (the first
      // seconds after a start) it would lack them, and differ from another instance's page for the whole day.
      await geo.settled?.();
      const days = Array.from({ length: TIMELINE_DAYS }, (_, i) => dayString(untilMs - (TIMELINE_DAYS - i) * DAY_MS));
      const timelineFromDay = days[0] ?? dayString(untilMs - DAY_MS);
      const tableFromDay = dayString(untilMs - PAGE_DAYS * DAY_MS);
      // Small cells too: the view needs to know a network had reports to show its cell as suppressed (never their verdicts).
      const cells = await store.dayCells({ fromDay: timelineFromDay, untilDay: dayString(untilMs), cc, minPerCell: 1 });
      const view = countryView(cells, { minPerCell: MIN_REPORTS_PER_CELL, tableFromDay, days });
      return renderCountryPage(options, {
        cc,
        tableFromDay,
        timelineFromDay,
        lastDay: dayString(untilMs - DAY_MS),
        view,
        appName: (appId) => appNames.get(appId) ?? appId,
        asnName: (asn) => geo.asnName?.(asn),
      });
    });
  });
}
