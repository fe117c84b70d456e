// The public results page, rendered to HTML on the server with Preact: the world map and the country pages, no script.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { createI18n } from '../ui/i18n-create';
import type { I18n } from '../ui/i18n-create';
import { UI_LANGUAGES } from '../ui/language';
import type { UiLanguage } from '../ui/language';
import { formatMessage, parseLocaleMessages } from '../ui/message-format';
import { MAP_HEIGHT, MAP_WIDTH, worldShapes } from './results-map';
import { SHARE_CLASSES, shareClass } from './results-view';
import type { CellView, CountryShare, CountryView, TimelineView } from './results-view';

const require = createRequire(import.meta.url);
for (const language of UI_LANGUAGES) countries.registerLocale(require(`i18n-iso-countries/langs/${language}.json`) as countries.LocaleData);

/** The extension's own strings, read once from its locale files: the page and the popup say the same things. */
const i18ns = new Map<UiLanguage, I18n>(
  UI_LANGUAGES.map((language) => {
    const file = new URL(`../../public/_locales/${language}/messages.json`, import.meta.url);
    const messages = parseLocaleMessages(JSON.parse(readFileSync(file, 'utf8')));
    const lookup = (key: string, substitutions: string[]) => {
      const template = messages.get(key);
      return template === undefined ? undefined : formatMessage(template, substitutions);
    };
    return [language, createI18n(language, language, lookup)];
  }),
);

export function i18nFor(language: UiLanguage): I18n {
  const i18n = i18ns.get(language);
  if (i18n === undefined) throw new Error(`no messages for ${language}`);
  return i18n;
}

/** The page's language: `?lang=` if it is one of ours, else the first of Accept-Language's (by q) that is, else English. */
export function pageLanguage(query: string | undefined, acceptLanguage: string | undefined): UiLanguage {
  const ours = (tag: string): UiLanguage | undefined => UI_LANGUAGES.find((language) => language === tag.trim().split(/[-_]/)[0]?.toLowerCase());
  if (query !== undefined) return ours(query) ?? 'en';
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const language = ours(tag);
    if (language !== undefined) return language;
  }
  return 'en';
}

export function countryName(cc: string, language: UiLanguage): string {
  return countries.getName(cc, language) ?? cc;
}

/** Colours of the share classes (blocked share, light to dark), and of countries without published figures. */
const CLASS_COLOURS = ['#d9ead3', '#f6d58e', '#ec8b4f', '#b2182b'];
const NO_DATA = '#e4e4e4';

/** The page's only stylesheet (no `style=` attributes): its hash is the whole of the page's style-src (page-csp.ts). */
export const PAGE_STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem 2rem;color:#1b1b1b;background:#fff}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;justify-content:space-between;padding:1rem 0}
header nav a{margin-inline-end:.75rem}
a{color:#0b57d0}
svg.map{width:100%;height:auto;background:#f4f8fb}
svg.map path{stroke:#fff;stroke-width:.5}
svg.map a:focus path,svg.map a:hover path,svg.map path.here{stroke:#1b1b1b;stroke-width:1.5}
tr.here th,tr.here td{font-weight:bold}
.here-note{padding:.5em .75em;border-inline-start:4px solid #0b57d0;background:#f4f8fb}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;list-style:none}
.swatch{display:inline-block;width:1em;height:1em;vertical-align:-.15em;margin-inline-end:.3em;border:1px solid #888}
${CLASS_COLOURS.map((colour, index) => `.swatch.c${index}{background:${colour}}`).join('')}
.swatch.none{background:${NO_DATA}}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border:1px solid #bbb;padding:.25em .5em;text-align:start;vertical-align:top}
td.num{text-align:end;font-variant-numeric:tabular-nums}
.mix{display:block;font-size:.9em;white-space:nowrap}
.suppressed,.none{color:#555;font-style:italic}
.scroll{overflow-x:auto}
.scroll:focus-visible{outline:2px solid #0b57d0;outline-offset:2px}
.timeline{display:block}
footer{margin-top:2rem;border-top:1px solid #ccc;padding-top:.5rem;font-size:.9em}
`;

interface Frame {
  i18n: I18n;
  /** The page's own path, for the language links. */
  path: string;
  title: string;
  minPerCell: number;
  licence: string;
  licenceUrl: string;
}

function href(path: string, language: UiLanguage): string {
  return `${path}?lang=${language}`;
}

function Page({ frame, children }: { frame: Frame; children: ComponentChildren }) {
  const { i18n, path, title } = frame;
  const { t } = i18n;
  return (
    <html lang={i18n.language} dir={i18n.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('appName')}`}</title>
        {/* The CSP hashes PAGE_STYLE: it holds no character the renderer escapes (a test hashes what is sent). */}
        <style>{PAGE_STYLE}</style>
      </head>
      <body>
        <header>
          <a href={href('/', i18n.language)}>
            <strong>{t('appName')}</strong>
          </a>
          <nav aria-label={t('results_language')}>
            {UI_LANGUAGES.map((language) => (
              <a key={language} href={href(path, language)} lang={language} hrefLang={language} aria-current={language === i18n.language ? 'page' : undefined}>
                {i18nFor(language).t(`language_${language}`)}
              </a>
            ))}
          </nav>
        </header>
        <main>{children}</main>
        <footer>
          <p>{t('results_about', String(frame.minPerCell))}</p>
          <p>
            <a href="/data">{t('results_open_data')}</a>
            {' · '}
            <a href={frame.licenceUrl} rel="license">
              {t('results_licence', frame.licence)}
            </a>
          </p>
        </footer>
      </body>
    </html>
  );
}

function percent(i18n: I18n, share: number): string {
  return new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

function count(i18n: I18n, n: number): string {
  return new Intl.NumberFormat(i18n.language).format(n);
}

/** A day as the page's language writes it. */
function dayText(i18n: I18n, day: string): string {
  return new Intl.DateTimeFormat(i18n.language, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));
}

export interface WorldPageInput {
  /** First and last day counted, YYYY-MM-DD. */
  fromDay: string;
  lastDay: string;
  shares: ReadonlyMap<string, CountryShare>;
  /** The visitor's country, from the address of the request (then forgotten), if it has a country page. */
  here?: string;
}

function WorldPage({ frame, input }: { frame: Frame; input: WorldPageInput }) {
  const { i18n } = frame;
  const { t } = i18n;
  const ranked = [...input.shares.values()].sort((a, b) => b.share - a.share || b.total - a.total || (a.cc < b.cc ? -1 : 1));
  const bounds = SHARE_CLASSES.map((upper, index) => [index === 0 ? 0 : (SHARE_CLASSES[index - 1] ?? 0), upper] as const);
  return (
    <Page frame={frame}>
      <h1>{t('results_title')}</h1>
      <p>{t('results_intro', dayText(i18n, input.fromDay), dayText(i18n, input.lastDay))}</p>
      {input.here !== undefined && (
        <p class="here-note" data-here={input.here}>
          {t('results_here', countryName(input.here, i18n.language))}{' '}
          <a href={href(`/country/${input.here}`, i18n.language)}>{t('results_country_title', countryName(input.here, i18n.language))}</a>
        </p>
      )}
      <figure>
        {/* A group, not an image: an image's content is presentational, and the countries in it are links. */}
        <svg class="map" viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`} role="group" aria-labelledby="map-caption">
          {worldShapes().map((shape, index) => {
            const share = shape.cc === undefined ? undefined : input.shares.get(shape.cc);
            const here = shape.cc !== undefined && shape.cc === input.here ? 'here' : undefined;
            if (shape.cc === undefined || share === undefined) return <path key={index} d={shape.d} fill={NO_DATA} class={here} />;
            const label = `${countryName(shape.cc, i18n.language)}: ${t('results_blocked_share', percent(i18n, share.share))}`;
            return (
              <a key={index} href={href(`/country/${shape.cc}`, i18n.language)} aria-label={label}>
                <title>{label}</title>
                <path d={shape.d} fill={CLASS_COLOURS[shareClass(share.share)]} class={here} />
              </a>
            );
          })}
        </svg>
        <figcaption id="map-caption">{t('results_map_caption', dayText(i18n, input.fromDay), dayText(i18n, input.lastDay))}</figcaption>
      </figure>
      <ul class="legend">
        {bounds.map(([low, high], index) => (
          <li key={high}>
            <span class={`swatch c${index}`} />
            {`${percent(i18n, low)}–${percent(i18n, high)}`}
          </li>
        ))}
        <li>
          <span class="swatch none" />
          {t('results_no_reports')}
        </li>
      </ul>
      <h2>{t('results_countries_heading')}</h2>
      {ranked.length === 0 ? (
        <p>{t('results_nothing_yet')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('results_col_country')}</th>
              <th scope="col">{t('results_col_checks')}</th>
              <th scope="col">{t('results_col_blocked')}</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((row) => (
              <tr key={row.cc} class={row.cc === input.here ? 'here' : undefined}>
                <td>
                  <a href={href(`/country/${row.cc}`, i18n.language)}>{countryName(row.cc, i18n.language)}</a>
                </td>
                <td class="num">{count(i18n, row.total)}</td>
                <td class="num">{percent(i18n, row.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export interface CountryPageInput {
  cc: string;
  /** The table's first day and the last day counted; the timeline runs over the view's days. */
  tableFromDay: string;
  lastDay: string;
  timelineFromDay: string;
  view: CountryView;
  appName: (appId: string) => string;
  asnName: (asn: number) => string | undefined;
}

function Cell({ cell, i18n, minPerCell }: { cell: CellView; i18n: I18n; minPerCell: number }) {
  const { t } = i18n;
  if (cell.kind === 'none') return <td class="none">{t('results_no_reports')}</td>;
  if (cell.kind === 'suppressed') return <td class="suppressed" data-cell="suppressed">{t('results_suppressed', String(minPerCell))}</td>;
  return (
    <td data-cell="counts">
      <span class="mix">{`${t('verdict_works')} ${count(i18n, cell.works)}`}</span>
      <span class="mix">{`${t('verdict_degraded')} ${count(i18n, cell.degraded)}`}</span>
      <span class="mix">{`${t('verdict_blocked')} ${count(i18n, cell.blocked)}`}</span>
      {cell.unknown > 0 && <span class="mix">{`${t('verdict_unknown')} ${count(i18n, cell.unknown)}`}</span>}
    </td>
  );
}

const TIMELINE_WIDTH = 300;
const TIMELINE_HEIGHT = 48;

function Timeline({ timeline, name, i18n }: { timeline: TimelineView; name: string; i18n: I18n }) {
  const { t } = i18n;
  const step = TIMELINE_WIDTH / timeline.points.length;
  const dayLabel = new Intl.DateTimeFormat(i18n.language, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const last = timeline.points.findLast((point) => point.measured !== undefined);
  const summary =
    last?.measured === undefined
      ? name
      : `${name}: ${t('results_timeline_last', dayLabel.format(Date.parse(`${last.day}T00:00:00Z`)), percent(i18n, last.measured.blocked / last.measured.total))}`;
  return (
    <figure>
      <svg class="timeline" width={TIMELINE_WIDTH} height={TIMELINE_HEIGHT + 2} viewBox={`0 0 ${TIMELINE_WIDTH} ${TIMELINE_HEIGHT + 2}`} role="img" aria-label={summary}>
        <line x1="0" y1={TIMELINE_HEIGHT + 1} x2={TIMELINE_WIDTH} y2={TIMELINE_HEIGHT + 1} stroke="#888" />
        {timeline.points.map(({ day, measured }, index) => {
          if (measured === undefined) return null;
          const share = measured.blocked / measured.total;
          const height = Math.max(1, Math.round(share * TIMELINE_HEIGHT));
          return (
            <rect key={day} x={(index * step + 0.5).toFixed(1)} y={TIMELINE_HEIGHT + 1 - height} width={Math.max(1, step - 1).toFixed(1)} height={height} fill={CLASS_COLOURS[shareClass(share)]}>
              <title>{`${dayLabel.format(Date.parse(`${day}T00:00:00Z`))}: ${percent(i18n, share)} (${count(i18n, measured.total)})`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}

function CountryPage({ frame, input }: { frame: Frame; input: CountryPageInput }) {
  const { i18n, minPerCell } = frame;
  const { t } = i18n;
  const { view } = input;
  const name = countryName(input.cc, i18n.language);
  return (
    <Page frame={frame}>
      <p>
        <a href={href('/', i18n.language)}>{t('results_back')}</a>
      </p>
      <h1>{t('results_country_title', name)}</h1>
      <h2 id="networks-heading">{t('results_networks_heading', dayText(i18n, input.tableFromDay), dayText(i18n, input.lastDay))}</h2>
      {view.networks.length === 0 ? (
        <p>{t('results_nothing_here')}</p>
      ) : (
        // On a phone the table scrolls sideways: the keyboard must be able to reach and scroll it too.
        <div class="scroll" tabIndex={0} role="region" aria-labelledby="networks-heading">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('results_col_network')}</th>
                {view.apps.map((appId) => (
                  <th key={appId} scope="col">
                    {input.appName(appId)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.networks.map((network) => {
                const asName = input.asnName(network.asn);
                return (
                  <tr key={network.asn} data-asn={network.asn}>
                    <th scope="row">
                      {`AS${network.asn}`}
                      {asName !== undefined && <span class="mix">{asName}</span>}
                    </th>
                    {view.apps.map((appId) => (
                      <Cell key={appId} cell={network.cells[appId] ?? { kind: 'none' }} i18n={i18n} minPerCell={minPerCell} />
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t('results_timeline_heading', dayText(i18n, input.timelineFromDay), dayText(i18n, input.lastDay))}</h2>
      {view.timelines.length === 0 ? (
        <p>{t('results_nothing_here')}</p>
      ) : (
        view.timelines.map((timeline) => <Timeline key={timeline.appId} timeline={timeline} name={input.appName(timeline.appId)} i18n={i18n} />)
      )}
    </Page>
  );
}

export interface PageFrameOptions {
  language: UiLanguage;
  path: string;
  minPerCell: number;
  licence: string;
  licenceUrl: string;
}

function frameOf(options: PageFrameOptions, title: (i18n: I18n) => string): Frame {
  const i18n = i18nFor(options.language);
  return { ...options, i18n, title: title(i18n) };
}

export function renderWorldPage(options: PageFrameOptions, input: WorldPageInput): string {
  const frame = frameOf(options, (i18n) => i18n.t('results_title'));
  return `<!doctype html>${renderToString(<WorldPage frame={frame} input={input} />)}`;
}

export function renderCountryPage(options: PageFrameOptions, input: CountryPageInput): string {
  const frame = frameOf(options, (i18n) => i18n.t('results_country_title', countryName(input.cc, options.language)));
  return `<!doctype html>${renderToString(<CountryPage frame={frame} input={input} />)}`;
}
