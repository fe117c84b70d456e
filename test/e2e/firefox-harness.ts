// Launches real Firefox (ESR) over WebDriver BiDi with the built Firefox test extension and hands a test its pages, a message channel to the background and every extension error.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { expect } from 'vitest';
import type { Answer, BackgroundRequest, BackgroundResponse } from '../../src/core/messages';
import { GECKO_ID } from '../../scripts/firefox-manifest';
import { firefoxPath } from '../../tools/browsers';
import type { ExtensionSession } from '../../tools/extension-session';
import { trustInFirefoxProfile } from '../../tools/pki';
import type { ExtensionHarness } from './extension-contract';

/** The session in Firefox: its browser and the extension's origin too. */
export interface FirefoxSession extends ExtensionSession<Page> {
  browser: Browser;
  /** The moz-extension:// origin, fixed per session through `extensions.webextensions.uuids`. */
  origin: string;
}

export interface FirefoxLaunchOptions {
  /** The unpacked extension; the e2e global setup builds `dist-firefox-test`. */
  extensionDir?: string;
  /** A CA the browser should trust, added to the profile's own NSS database (cert9.db). */
  trustCaPath?: string;
  /** Tests send nothing beyond loopback; turn off only for a manual run against the real catalog. */
  loopbackOnly?: boolean;
}

/**
 * Firefox's own background traffic, all switched off: updates, telemetry, experiments, remote settings,
 * captive-portal and connectivity checks, Safe Browsing, DoH, prefetching. Puppeteer's defaults already point a
 * few of these at `dummy.test`; the resolver pref below keeps even those lookups on this machine.
 */
const QUIET_PREFS: Record<string, string | number | boolean> = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'browser.ping-centre.telemetry': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google.updateURL': '',
  'services.settings.server': 'http://127.0.0.1:9/',
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'security.OCSP.enabled': 0,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.update.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.update': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.updateEnabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtabpage.activity-stream.feeds.system.topstories': false,
  'browser.newtabpage.activity-stream.feeds.snippets': false,
  'browser.topsites.contile.enabled': false,
  'dom.push.connection.enabled': false,
  'browser.ml.enable': false,
  'browser.backup.scheduled.enabled': false,
};

/** Prefs the tests rely on. */
const TEST_PREFS: Record<string, string | number | boolean> = {
  // Our ICE fixtures listen on loopback; without this Firefox sends no STUN to them (browser-behaviour.md §6).
  'media.peerconnection.ice.loopback': true,
  // Print the console of content-privileged code (extension pages and the background page) to stdout, and
  // keep Firefox's own chrome-privileged noise out of it, so every `console.error:` line there is ours.
  'devtools.console.stdout.content': true,
  'devtools.console.stdout.chrome': false,
};

/**
 * The equivalent of Chromium's `--host-resolver-rules=MAP * ~NOTFOUND`: every name the native resolver is asked
 * for answers 127.0.0.1, so whatever Firefox tries to reach stays on this machine.
 */
const LOOPBACK_PREFS: Record<string, boolean> = { 'network.dns.native-is-localhost': true };

/** Calls `onLine` for every complete line a stream produces. */
function eachLine(stream: Readable | null, onLine: (line: string) => void): void {
  let buffered = '';
  stream?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    lines.forEach(onLine);
  });
}

/** An error code of Firefox's network library, of Chromium's, or fetch's own: none names a TLS failure in Firefox. */
const LIBRARY_ERROR = /^(NS_|net::|TypeError)/;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export async function launchFirefoxExtension(options: FirefoxLaunchOptions = {}): Promise<FirefoxSession> {
  const executablePath = firefoxPath();
  const extensionDir = resolve(options.extensionDir ?? 'dist-firefox-test');
  const home = mkdtempSync(join(tmpdir(), 'cic-ff-home-'));
  const profile = join(home, 'profile');
  mkdirSync(profile);
  // Firefox keeps trust in the profile's own NSS database; a CA added there is trusted like a user-imported one.
  if (options.trustCaPath) trustInFirefoxProfile(profile, options.trustCaPath);
  const uuid = randomUUID();
  const origin = `moz-extension://${uuid}`;

  const started = Date.now();
  const firefoxBrowser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    userDataDir: profile,
    env: { ...process.env, HOME: home },
    // WebDriver BiDi refuses to navigate to moz-extension:// URLs without it ("not allowed in this context").
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      ...QUIET_PREFS,
      ...TEST_PREFS,
      ...(options.loopbackOnly === false ? {} : LOOPBACK_PREFS),
      // A known moz-extension:// origin instead of a random one chosen at install.
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
    },
  });

  const consoleErrors: string[] = [];
  const firefox = firefoxBrowser.process();
  // Uncaught errors and unhandled rejections name their source; console calls do not, but only
  // content-privileged code prints them here (see TEST_PREFS) and the only such code is ours.
  eachLine(firefox?.stderr ?? null, (line) => {
    if (line.startsWith('JavaScript error: ') && line.includes(origin)) consoleErrors.push(line);
  });
  eachLine(firefox?.stdout ?? null, (line) => {
    if (line.startsWith('console.error: ')) consoleErrors.push(line);
  });

  const installedId = await firefoxBrowser.installExtension(extensionDir);
  if (installedId !== GECKO_ID) throw new Error(`installed ${installedId}, expected ${GECKO_ID}`);
  const startupMs = Date.now() - started;

  const openPage = async (path: string): Promise<Page> => {
    const page = await firefoxBrowser.newPage();
    const url = `${origin}/${path}`;
    // Firefox switches the tab into the extension process, and its BiDi navigation tracking loses the load event
    // (NavigationManager: "context is null"), so goto never settles: start it, then wait for the document.
    page.goto(url, { timeout: 10_000 }).catch(() => undefined);
    for (let tries = 0; tries < 100; tries += 1) {
      const state = await page
        .evaluate(() => ({ href: location.href, ready: document.readyState }))
        .catch(() => ({ href: '', ready: 'loading' }));
      if (state.href === url && state.ready !== 'loading') return page;
      await sleep(50);
    }
    throw new Error(`${url} did not load`);
  };

  // The options page starts nothing on its own, so it is a quiet place to send from and read storage in.
  let quietPage: Page | null = null;
  const quiet = async (): Promise<Page> => (quietPage ??= await openPage('src/options/index.html'));
  return {
    browser: firefoxBrowser,
    origin,
    openPage,
    consoleErrors,
    startupMs,
    storage: {
      get: async (key) => (await quiet()).evaluate((k) => browser.storage.local.get(k).then((items) => items[k]), key),
      set: async (items) => (await quiet()).evaluate((i) => browser.storage.local.set(i), items),
      remove: async (key) => (await quiet()).evaluate((k) => browser.storage.local.remove(k), key),
    },
    badgeText: async () => (await quiet()).evaluate(() => browser.action.getBadgeText({})),
    async ask(request) {
      const answer = await (await quiet()).evaluate(
        (message) => browser.runtime.sendMessage(message) as Promise<Answer<unknown>>,
        request as BackgroundRequest,
      );
      if (!answer.ok) throw new Error(`background answered an error to ${request.type}: ${answer.error}`);
      return answer.value as BackgroundResponse<(typeof request)['type']>;
    },
    async close() {
      await firefoxBrowser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Firefox (ESR) as the extension contract runs it, with what Firefox measures its own way. */
export const firefoxHarness: ExtensionHarness = {
  profile: {
    name: 'Firefox',
    family: 'firefox',
    background: 'background page',
    // Firefox retransmits a Binding after 100, 300 ms; its prober uses one connection per exchange.
    stunLoss: { exchanges: 16, firstStepMs: 100 },
    // Passed once and failed once here (2026-12-07): Firefox's TURN retransmissions are not told apart reliably yet.
    turnLoss: null,
    // The 100 ms step drowns in the timing scatter of a check's burst, so a check measures no loss (check-service.ts).
    checkLossExchanges: undefined,
    // Firefox reports the failed TLS handshake as a TURN error 701.
    untrustedTurns: { evidence: 'error-701' },
    closedTcp: { evidence: 'error-701', failure: 'connection_refused' },
    // Seen missing in the probe's result here (ESR, 2026-12-07), though browser-behaviour.md §9 saw entries in the background page.
    fetchTiming: false,
    iceDeadlineSlackMs: 3000,
    http: {
      refused: { rawError: 'NS_ERROR_CONNECTION_REFUSED' },
      reset: { rawError: 'NS_ERROR_NET_RESET' },
      // Firefox names TLS failures only in localized text: any of them is ssl_failed_handshake, never parsed. Unlike
      // Chromium's webRequest, it tells the address it failed with.
      wrongHost: { failure: 'ssl_failed_handshake', rawError: expect.not.stringMatching(LIBRARY_ERROR), ip: '127.0.0.1' },
      unknownCa: { failure: 'ssl_failed_handshake', rawError: expect.not.stringMatching(LIBRARY_ERROR), ip: '127.0.0.1' },
      notTls: { failure: 'ssl_failed_handshake', rawError: expect.not.stringMatching(LIBRARY_ERROR), ip: '127.0.0.1' },
      // webRequest's abort usually lands within the probe's 250 ms settle window; on a loaded machine it can come later,
      // and then the raw text is the fetch's own. Either way the failure is our deadline (CI, 2026-12-07).
      hang: { rawError: expect.stringMatching(/^(NS_BINDING_ABORTED|TimeoutError: )/) },
    },
  },
  launch: (options) => launchFirefoxExtension(options),
};
