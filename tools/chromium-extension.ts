// Launches real Chromium with a built extension (the test build, or `npm start`'s) and hands its caller the id, service worker, pages and every console error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import type { Answer, BackgroundRequest, BackgroundResponse } from '../src/core/messages';
import type { ExtensionSession as BaseSession } from './extension-session';
import { chromiumArgs, chromiumPath } from './browsers';
import { trustInNssDb } from './pki';

/** The session in Chromium: its context and service worker too. */
export interface ExtensionSession extends BaseSession<Page> {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
}

export interface LaunchOptions {
  /** The unpacked extension; the e2e global setup builds `dist-test`. */
  extensionDir?: string;
  /** A CA the browser should trust (through an NSS database, not by switching checks off). */
  trustCaPath?: string;
  extraArgs?: string[];
  /** Tests resolve no name but localhost; `npm start` probes the real catalog and turns this off. */
  loopbackOnly?: boolean;
  /** Show a real window (needs a display). */
  headed?: boolean;
}

export async function launchExtension(options: LaunchOptions = {}): Promise<ExtensionSession> {
  const extensionDir = resolve(options.extensionDir ?? 'dist-test');
  const home = mkdtempSync(join(tmpdir(), 'cic-home-'));
  if (options.trustCaPath) trustInNssDb(home, options.trustCaPath);
  const started = Date.now();
  const context = await chromium.launchPersistentContext(join(home, 'profile'), {
    executablePath: chromiumPath(),
    headless: false, // --headless=new comes from chromiumArgs
    env: { ...process.env, HOME: home },
    args: chromiumArgs(
      [
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        // Our ICE fixtures listen on loopback; Chrome gathers nothing towards it without this.
        '--allow-loopback-in-peer-connection',
        // Tests talk to loopback only: any other name fails to resolve instead of leaving the machine.
        ...(options.loopbackOnly === false ? [] : ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1']),
        ...(options.extraArgs ?? []),
      ],
      { headed: options.headed ?? false },
    ),
  });
  const consoleErrors: string[] = [];
  const watchPage = (page: Page): void => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${page.url()}] ${msg.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`[${page.url()}] ${error.message}`));
  };
  const watchWorker = (worker: Worker): void => {
    worker.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${worker.url()}] ${msg.text()}`);
    });
  };
  context.on('page', watchPage);
  context.on('serviceworker', watchWorker);
  context.pages().forEach(watchPage);

  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  watchWorker(worker);
  const extensionId = new URL(worker.url()).host;
  const startupMs = Date.now() - started;

  let askPage: Page | null = null;
  const openPage = async (path: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/${path}`);
    return page;
  };

  return {
    context,
    extensionId,
    worker,
    openPage,
    consoleErrors,
    startupMs,
    storage: {
      get: (key) => worker.evaluate((k) => chrome.storage.local.get(k).then((items) => items[k]), key),
      set: (items) => worker.evaluate((i) => chrome.storage.local.set(i), items),
      remove: (key) => worker.evaluate((k) => chrome.storage.local.remove(k), key),
    },
    badgeText: () => worker.evaluate(() => chrome.action.getBadgeText({})),
    async ask(request) {
      // The options page starts nothing on its own, so it is a quiet place to send from.
      askPage ??= await openPage('src/options/index.html');
      const answer = await askPage.evaluate(
        (message) => chrome.runtime.sendMessage(message) as Promise<Answer<unknown>>,
        request as BackgroundRequest,
      );
      if (!answer.ok) throw new Error(`background answered an error to ${request.type}: ${answer.error}`);
      return answer.value as BackgroundResponse<(typeof request)['type']>;
    },
    async close() {
      await context.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
