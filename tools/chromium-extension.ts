// Launches real Chromium with a built extension (the test build, the lab's, or `npm start`'s) and hands its caller the id, service worker, pages and every console error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type EvaluateFunc, type Page, type Target, type WebWorker } from 'puppeteer-core';
import { errorText } from '../src/core/error-text';
import type { Answer, BackgroundRequest, BackgroundResponse } from '../src/core/messages';
import type { ExtensionSession as BaseSession } from './extension-session';
import { chromiumArgs, chromiumPath } from './browsers';
import { trustInNssDb } from './pki';

/** Chromium with the extension running: the browser, the extension's id and service worker, and what it logged. */
export interface ExtensionBrowser {
  browser: Browser;
  extensionId: string;
  /** The service worker as it runs now: Chrome stops an idle or stopped one and starts a fresh one on the next event. */
  worker: Pick<WebWorker, 'evaluate'>;
  /** A blank tab (in front, unless asked for behind) whose console errors are collected with the extension's. */
  newPage(options?: { background?: boolean }): Promise<Page>;
  /** Uncaught errors and console.error calls from the service worker and every tab. */
  consoleErrors: string[];
  /** How long the browser took to start with the extension running, in ms. */
  startupMs: number;
  /** Closes the browser and removes its home. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The unpacked extension. */
  extensionDir: string;
  /** The profile and $HOME (where Chromium's NSS database lives) go here; removed on close, or if the start fails. */
  home: string;
  /** Another way to start Chromium, e.g. a script that enters a network namespace first. */
  executablePath?: string;
  /** Flags beyond the machine's own (tools/browsers.ts) and the extension's. */
  args?: string[];
  /** Show a real window (needs a display). */
  headed?: boolean;
  /** How long the browser may take to start, in ms. */
  timeout?: number;
}

/**
 * Waits until a worker that just started (or restarted) has its globals and the extension's APIs bound: before
 * that, its context answers without setTimeout or chrome.
 */
async function untilBound(worker: WebWorker, contextId: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  const expression = "typeof setTimeout === 'function' && globalThis.chrome?.runtime?.id !== undefined";
  while ((await worker.client.send('Runtime.evaluate', { expression, contextId, returnByValue: true })).result.value !== true) {
    if (Date.now() > deadline) throw new Error(`${worker.url()} never had the extension's APIs`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

/** Starts Chromium with the unpacked extension loaded and waits for its service worker. */
export async function startExtensionBrowser(options: StartOptions): Promise<ExtensionBrowser> {
  const extensionDir = resolve(options.extensionDir);
  const removeHome = () => rmSync(options.home, { recursive: true, force: true });
  const started = Date.now();
  const browser = await puppeteer
    .launch({
      executablePath: options.executablePath ?? chromiumPath(),
      headless: false, // --headless=new comes from chromiumArgs
      // Over a pipe, not a port: the lab's browser runs in another network namespace.
      pipe: true,
      // Keeps extensions on (no --disable-extensions); the extension itself comes from --load-extension below.
      enableExtensions: true,
      userDataDir: join(options.home, 'profile'),
      env: { ...process.env, HOME: options.home },
      defaultViewport: { width: 1280, height: 720 },
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      args: chromiumArgs([`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...(options.args ?? [])], {
        headed: options.headed ?? false,
      }),
    })
    .catch((error: unknown) => {
      removeHome();
      throw error;
    });
  const consoleErrors: string[] = [];
  const watchedPages = new WeakSet<Page>();
  const watchedWorkers = new WeakMap<WebWorker, Promise<WebWorker>>();
  /** Each worker's execution context now: Chrome starts a fresh one when it restarts a stopped worker. */
  const contexts = new WeakMap<WebWorker, number>();
  const watchPage = async (page: Page): Promise<Page> => {
    if (watchedPages.has(page)) return page;
    watchedPages.add(page);
    // Every page as if in front: a tab behind another is hidden, and a hidden page paints no frames (nor runs their callbacks).
    await page.emulateFocusedPage(true);
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${page.url()}] ${msg.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`[${page.url()}] ${errorText(error)}`));
    return page;
  };
  const startWatching = async (worker: WebWorker): Promise<WebWorker> => {
    worker.client.on('Runtime.executionContextCreated', (event) => contexts.set(worker, event.context.id));
    // Turning Runtime off and on again reports the context already running.
    await worker.client.send('Runtime.disable');
    await worker.client.send('Runtime.enable');
    worker.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(`[${worker.url()}] ${msg.text()}`);
    });
    worker.on('error', (error) => consoleErrors.push(`[${worker.url()}] ${error.message}`));
    // A worker Chrome stopped (idle, or told to) comes back in the same target, paused until its debugger lets it run.
    worker.client.on('Inspector.targetReloadedAfterCrash', () => void worker.client.send('Runtime.runIfWaitingForDebugger').catch(() => undefined));
    return worker;
  };
  const watchWorker = (worker: WebWorker): Promise<WebWorker> => {
    const watching = watchedWorkers.get(worker) ?? startWatching(worker);
    watchedWorkers.set(worker, watching);
    return watching;
  };
  const isWorkerOf = (target: Target, id: string) => target.type() === 'service_worker' && target.url().startsWith(`chrome-extension://${id}/`);
  const watchTarget = async (target: Target): Promise<void> => {
    if (target.type() === 'page') {
      const page = await target.page();
      if (page) await watchPage(page);
    } else if (target.type() === 'service_worker' && target.url().startsWith('chrome-extension://')) {
      const worker = await target.worker();
      if (worker) await watchWorker(worker);
    }
  };
  browser.on('targetcreated', (target: Target) => void watchTarget(target).catch(() => undefined));

  try {
    const first = await browser.waitForTarget((target) => target.type() === 'service_worker' && target.url().startsWith('chrome-extension://'), {
      timeout: 15_000,
    });
    const extensionId = new URL(first.url()).host;
    await Promise.all(browser.targets().map(watchTarget));
    const startupMs = Date.now() - started;
    const currentWorker = async (): Promise<WebWorker> => {
      const target = await browser.waitForTarget((t) => isWorkerOf(t, extensionId), { timeout: 15_000 });
      const worker = await target.worker();
      if (worker === null) throw new Error(`no worker behind ${target.url()}`);
      return watchWorker(worker);
    };
    // Puppeteer's WebWorker keeps to the worker's first execution context; this evaluates in whichever runs now.
    async function evaluate<Params extends unknown[], Func extends EvaluateFunc<Params> = EvaluateFunc<Params>>(
      func: Func | string,
      ...args: Params
    ): Promise<Awaited<ReturnType<Func>>> {
      const worker = await currentWorker();
      const contextId = contexts.get(worker);
      if (contextId === undefined) throw new Error(`no execution context in ${worker.url()}`);
      await untilBound(worker, contextId);
      const expression = typeof func === 'string' ? func : `(${func.toString()})(...${JSON.stringify(args)})`;
      const { result, exceptionDetails } = await worker.client.send('Runtime.evaluate', { expression, contextId, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value as Awaited<ReturnType<Func>>;
    }
    return {
      browser,
      extensionId,
      worker: { evaluate },
      newPage: async (pageOptions) => watchPage(await browser.newPage(pageOptions)),
      consoleErrors,
      startupMs,
      async close() {
        try {
          await browser.close();
        } finally {
          removeHome();
        }
      },
    };
  } catch (error) {
    await browser.close().finally(removeHome);
    throw error;
  }
}

/** The session in Chromium: its browser and service worker too. */
export interface ExtensionSession extends BaseSession<Page>, ExtensionBrowser {}

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
  const home = mkdtempSync(join(tmpdir(), 'cic-home-'));
  if (options.trustCaPath) trustInNssDb(home, options.trustCaPath);
  const running = await startExtensionBrowser({
    extensionDir: options.extensionDir ?? 'dist-test',
    home,
    headed: options.headed ?? false,
    args: [
      // Our ICE fixtures listen on loopback; Chrome gathers nothing towards it without this.
      '--allow-loopback-in-peer-connection',
      // Tests talk to loopback only: any other name fails to resolve instead of leaving the machine.
      ...(options.loopbackOnly === false ? [] : ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1']),
      ...(options.extraArgs ?? []),
    ],
  });
  const { extensionId, worker, newPage } = running;

  let askPage: Page | null = null;
  const openPage = async (path: string, background = false): Promise<Page> => {
    const page = await newPage({ background });
    await page.goto(`chrome-extension://${extensionId}/${path}`);
    return page;
  };

  return {
    ...running,
    openPage,
    storage: {
      get: (key) => worker.evaluate((k) => chrome.storage.local.get(k).then((items) => items[k]), key),
      set: (items) => worker.evaluate((i) => chrome.storage.local.set(i), items),
      remove: (key) => worker.evaluate((k) => chrome.storage.local.remove(k), key),
    },
    badgeText: () => worker.evaluate(() => chrome.action.getBadgeText({})),
    async ask(request) {
      // The options page starts nothing on its own, so it is a quiet place to send from; behind the test's own page,
      // which stays in front (a hidden page takes no screenshot).
      askPage ??= await openPage('src/options/index.html', true);
      const answer = await askPage.evaluate(
        (message) => chrome.runtime.sendMessage(message) as Promise<Answer<unknown>>,
        request as BackgroundRequest,
      );
      if (!answer.ok) throw new Error(`background answered an error to ${request.type}: ${answer.error}`);
      return answer.value as BackgroundResponse<(typeof request)['type']>;
    },
  };
}
