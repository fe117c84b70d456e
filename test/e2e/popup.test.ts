// The popup and options page in real Chromium: a check against local fixtures, shown in en/ar/fr, light and dark, keyboard-driven and scanned by axe.
import { mkdirSync, readFileSync } from 'node:fs';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import { defaultSettings, type Settings } from '../../src/core/settings';
import { startStunResponder, type Stoppable } from '../support/servers';
import { startFixtures, type Fixtures } from './fixtures';
import { launchExtension, type ExtensionSession } from './harness';
import { testCatalog } from './test-catalog';

const SHOTS = 'artifacts/screenshots';
const LANGUAGES = ['en', 'ar', 'fr'] as const;
type Language = (typeof LANGUAGES)[number];

const messages = Object.fromEntries(
  LANGUAGES.map((language) => [
    language,
    JSON.parse(readFileSync(`public/_locales/${language}/messages.json`, 'utf8')) as Record<string, { message: string }>,
  ]),
) as Record<Language, Record<string, { message: string }>>;

function text(language: Language, key: string): string {
  const entry = messages[language][key];
  if (entry === undefined) throw new Error(`no ${language} message ${key}`);
  return entry.message;
}

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[];

async function setStorage(values: Record<string, unknown>): Promise<void> {
  await ext.worker.evaluate((items) => chrome.storage.local.set(items), values);
}

async function useSettings(settings: Partial<Settings>): Promise<void> {
  await setStorage({ [STORAGE_KEYS.settings]: { ...defaultSettings, ...settings } });
}

async function openPopup(): Promise<Page> {
  const page = await ext.context.newPage();
  await page.setViewportSize({ width: 380, height: 700 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`chrome-extension://${ext.extensionId}/src/popup/index.html`);
  return page;
}

/** Finished: no running answer, no pending row, and the three test apps judged. */
async function waitForResult(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('.overall--running') === null &&
      document.querySelector('.app-row--pending') === null &&
      document.querySelectorAll('.app-row__toggle').length === 3,
    undefined,
    { timeout: 30_000 },
  );
}

const AXE_SOURCE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

async function axeScan(page: Page): Promise<string[]> {
  // page.addScriptTag injects an inline script, which the extension's CSP (script-src 'self') refuses and logs
  // as an error; evaluating through the debugger protocol is not subject to the page's CSP.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    () => (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe.run(document),
  );
  // A scan that checked nothing would pass silently.
  if (results.passes.length === 0) throw new Error('axe ran no checks');
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/**
 * The viewport grows to the content instead of using fullPage: with classic scrollbars a fullPage shot lays
 * the page out without the scrollbar but keeps the narrower clip, which cuts off the inline end.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 380, height: 700 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(height, viewport.height) });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.setViewportSize(viewport);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await startFixtures();
  stuns = [
    await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'),
    await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3'),
  ];
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
  // The documented override key: the popup and the check both use this catalog of local fixtures.
  await setStorage({ [STORAGE_KEYS.catalogOverride]: testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }) });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

describe('popup', () => {
  it('shows the check running, with pending rows and progress announced politely', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await page.waitForSelector('.overall--running', { timeout: 10_000 });
    await expect.poll(() => page.locator('[role="status"]').first().innerText()).toMatch(/Starting the check…|of \d+ apps checked/);
    await shoot(page, 'popup-en-running');
    await waitForResult(page);
    await page.close();
  });

  describe.each(LANGUAGES)('in %s', (language) => {
    let page: Page;

    beforeAll(async () => {
      await useSettings({ language, pinnedApps: ['reset-app'] });
      page = await openPopup();
      await waitForResult(page);
    });

    afterAll(async () => {
      await page?.close();
    });

    it('sets the document language and direction', async () => {
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
        language,
        language === 'ar' ? 'rtl' : 'ltr',
      ]);
      expect(await page.title()).toBe(text(language, 'appName'));
    });

    it('states the overall answer in words that match the report', async () => {
      const { report } = await ext.ask({ type: 'getState' });
      const verdict = report?.overall?.verdict ?? 'unknown';
      await expect.poll(() => page.locator('.overall__answer').innerText()).toBe(text(language, `overall_${verdict}`));
      expect(await page.locator('.overall').getAttribute('class')).toContain(`overall--${verdict}`);
    });

    it('lists pinned apps first and says each verdict in words', async () => {
      const names = await page.locator('.app-row__name').allInnerTexts();
      expect(names[0]).toContain('Reset App');
      expect(names[0]).toContain(text(language, 'popup_pinned'));
      const blocked = page.locator('.app-row', { hasText: 'Blocked App' });
      await expect.poll(() => blocked.locator('.verdict').innerText()).toBe(text(language, 'verdict_blocked'));
      const open = page.locator('.app-row', { hasText: 'Open App' });
      expect(await open.locator('.verdict').innerText()).toBe(text(language, 'verdict_works'));
    });

    it('opens a row from the keyboard to show each probe and advice', async () => {
      const toggle = page.locator('.app-row', { hasText: 'Blocked App' }).locator('button.app-row__toggle');
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await toggle.focus();
      await page.keyboard.press('Enter');
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      const panel = page.locator(`#${(await toggle.getAttribute('aria-controls')) ?? 'missing'}`);
      await expect.poll(() => panel.isVisible()).toBe(true);
      const evidence = await panel.locator('table.evidence').innerText();
      expect(evidence).toContain('blocked-app.web');
      expect(evidence).toContain('connection_refused');
      expect(evidence).toContain('blocked-app.stun');
      expect(evidence).toContain(text(language, 'outcome_filtered'));
      await shoot(page, `popup-${language}-light`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, `popup-${language}-dark`);
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('has no serious or critical accessibility violations (light and dark)', async () => {
      expect(await axeScan(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await axeScan(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });
    });
  });

  it('finishes a check whose popup was closed mid-check: the report is stored and the badge shows the answer', async () => {
    await useSettings({ language: 'en' });
    await ext.worker.evaluate(async (key) => {
      await chrome.storage.local.remove(key);
      await chrome.action.setBadgeText({ text: '' });
    }, STORAGE_KEYS.current);
    const page = await openPopup();
    await page.waitForSelector('.overall--running', { timeout: 10_000 });
    // The person closes the popup before any answer: the check must not stop with it.
    await page.close();
    const stored = () =>
      ext.worker.evaluate((key) => chrome.storage.local.get(key).then((s) => (s[key] as { status?: string; overall?: { verdict: string } } | undefined) ?? null), STORAGE_KEYS.current);
    await expect.poll(async () => (await stored())?.status, { timeout: 20_000 }).toBe('done');
    const verdict = (await stored())?.overall?.verdict;
    const badge = await ext.worker.evaluate(() => chrome.action.getBadgeText({}));
    expect(badge).toBe({ works: '✓', degraded: '!', blocked: '✕', unknown: '?' }[verdict ?? 'unknown']);
  });

  it('says plainly when the connection is offline, in every language and colour scheme', async () => {
    const source = 'https://github.com/can-i-call/can-i-call/tree/main/test/e2e';
    const dead = `https://127.0.0.1:${fx.closedPort}`;
    // Nothing answers: every control and every app target is a closed port or a silent one.
    const offline = {
      ...testCatalog(fx, { a: fx.silentUdp.port, b: fx.silentUdp.port }),
      controls: {
        http: [{ id: 'control.dead', url: `${dead}/generate_204`, expectStatus: 204, source }],
        stun: [
          { id: 'control.stun-a', url: `stun:127.0.0.1:${fx.silentUdp.port}`, source },
          { id: 'control.stun-b', url: `stun:127.0.0.2:${fx.silentUdp.port}`, source },
        ],
      },
    };
    offline.apps = offline.apps.map((app) => ({
      ...app,
      signalling: app.signalling.map((t) => ({ ...t, url: `${dead}/${app.id}` })),
      // The same silent server as control.stun-a, so marked as its (an unmarked copy of a control is an invalid catalog).
      media: app.media.map((t) => ({ ...t, url: `stun:127.0.0.1:${fx.silentUdp.port}`, sharedWith: 'control.stun-a' })),
    }));
    const fixtures = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
    // The popup starts its own check on opening: with this catalog in place, that check is offline too.
    await setStorage({ [STORAGE_KEYS.catalogOverride]: offline });
    try {
      for (const language of LANGUAGES) {
        await useSettings({ language });
        for (const scheme of ['light', 'dark'] as const) {
          const page = await openPopup();
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForSelector('.overall--unknown', { timeout: 20_000 });
          expect(await page.locator('.overall__answer').first().innerText()).toContain(text(language, 'overall_unknown'));
          expect(await page.locator('body').innerText()).toContain(text(language, 'reason_offline'));
          await shoot(page, `popup-${language}-offline-${scheme}`);
          await page.close();
        }
      }
    } finally {
      await setStorage({ [STORAGE_KEYS.catalogOverride]: fixtures });
    }
    const { report } = await ext.ask({ type: 'getState' });
    expect(report?.overall?.reasons).toContain('OFFLINE');
  });

  it('shows the last result and its age while the new check runs, then the history', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await page.waitForSelector('.overall--running', { timeout: 10_000 });
    expect(await page.locator('.overall--running').innerText()).toMatch(/\(last result, (now|\d+ minutes? ago)\)/);
    await shoot(page, 'popup-en-running-previous');
    await waitForResult(page);
    await page.getByRole('button', { name: 'History' }).click();
    await page.waitForSelector('.history__item');
    expect(await page.locator('.history__item').count()).toBeGreaterThan(1);
    await shoot(page, 'popup-en-history');
    expect(await axeScan(page)).toEqual([]);
    await page.locator('.history__item button').first().click();
    await expect.poll(() => page.locator('.notice').innerText()).toContain('Showing a past check');
    await page.close();
  });

  it('exports the shown report as a JSON file and to the clipboard', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    const { report } = await ext.ask({ type: 'getState' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: text('en', 'export_save') }).click()]);
    expect(download.suggestedFilename()).toMatch(/^can-i-call-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$/);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as { id: string };
    expect(saved.id).toBe(report?.id);
    await page.getByRole('button', { name: text('en', 'export_copy') }).click();
    // Reading the clipboard back needs a permission the extension does not ask for; the resolved write is the proof.
    await expect.poll(() => page.locator('.actions [role="status"]').innerText()).toBe(text('en', 'export_copied'));
    await page.close();
  });

  it('says clearly when the background cannot answer, and offers to try again', async () => {
    await useSettings({ language: 'en' });
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 700 });
    // Stands in for a build whose background lacks the check handlers: every request answers the router's error.
    await page.addInitScript(() => {
      const refuse = (message: { type: string }, callback?: (answer: unknown) => void) => {
        const answer = { ok: false, error: `${message.type} is not available in this build yet` };
        if (callback) setTimeout(() => callback(answer), 0);
        return Promise.resolve(answer);
      };
      Object.defineProperty(chrome.runtime, 'sendMessage', { value: refuse });
    });
    await page.goto(`chrome-extension://${ext.extensionId}/src/popup/index.html`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText()).toContain('not available in this build yet');
    expect(await alert.innerText()).toMatch(/^(Could not load the last result|Could not start a check)\./);
    expect(await page.getByRole('button', { name: text('en', 'popup_retry') }).isEnabled()).toBe(true);
    await shoot(page, 'popup-en-error');
    expect(await axeScan(page)).toEqual([]);
    await page.close();
  });

  it('fits a wide tab as well as the narrow popup', async () => {
    await useSettings({ language: 'ar' });
    const page = await openPopup();
    await page.setViewportSize({ width: 800, height: 700 });
    await waitForResult(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'popup-ar-wide');
    await page.setViewportSize({ width: 360, height: 700 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await page.close();
  });
});

describe('options', () => {
  describe.each(LANGUAGES)('in %s', (language) => {
    it('has sharing off by default, the consent text, the payload preview, and no serious axe violations', async () => {
      await useSettings({ language });
      const page = await ext.context.newPage();
      await page.setViewportSize({ width: 800, height: 900 });
      await page.goto(`chrome-extension://${ext.extensionId}/src/options/index.html`);
      await page.waitForSelector('#share-heading');
      expect(await page.evaluate(() => document.documentElement.dir)).toBe(language === 'ar' ? 'rtl' : 'ltr');
      const share = page.getByRole('checkbox', { name: text(language, 'share_toggle') });
      expect(await share.isChecked()).toBe(false);
      const body = await page.locator('body').innerText();
      for (const key of ['share_never_ip', 'share_isp', 'share_not_privacy', 'share_sent_time']) expect(body).toContain(text(language, key));
      const payload = await page.locator('pre.payload').innerText();
      expect(JSON.parse(payload)).toMatchObject({ schema: 1, hour: expect.stringMatching(/:00:00Z$/) });
      expect(payload).not.toContain('127.0.0.1');
      await shoot(page, `options-${language}-light`);
      expect(await axeScan(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await shoot(page, `options-${language}-dark`);
      expect(await axeScan(page)).toEqual([]);
      await page.close();
    });
  });

  it('clears the history kept on this device', async () => {
    await useSettings({ language: 'en' });
    expect((await ext.ask({ type: 'getHistory' })).reports.length).toBeGreaterThan(0);
    const page = await ext.context.newPage();
    await page.goto(`chrome-extension://${ext.extensionId}/src/options/index.html`);
    await page.getByRole('button', { name: text('en', 'history_clear') }).click();
    await expect.poll(() => page.locator('#history-heading ~ [role="status"]').innerText()).toBe(text('en', 'history_cleared'));
    expect((await ext.ask({ type: 'getHistory' })).reports).toEqual([]);
    await page.close();
  });

  it('saves settings, validates custom servers and switches language live', async () => {
    await useSettings({ language: 'en' });
    const page = await ext.context.newPage();
    await page.goto(`chrome-extension://${ext.extensionId}/src/options/index.html`);
    await page.waitForSelector('#share-heading');
    await page.getByRole('checkbox', { name: text('en', 'share_toggle') }).check();
    await page.getByRole('checkbox', { name: 'Open App' }).check();
    await page.getByLabel(text('en', 'custom_url')).fill('https://not-a-stun-server');
    await page.getByRole('button', { name: text('en', 'custom_add') }).click();
    await expect.poll(() => page.locator('#server-url-error').innerText()).toBe(text('en', 'custom_invalid_url'));
    await page.getByLabel(text('en', 'custom_url')).fill('stun:127.0.0.1:3478');
    await page.getByLabel(text('en', 'custom_label'), { exact: true }).fill('Home');
    await page.getByRole('button', { name: text('en', 'custom_add') }).click();
    await page.getByLabel(text('en', 'language_label')).selectOption('fr');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await expect.poll(() => page.locator('h1').innerText()).toBe(text('fr', 'options_title'));
    const stored = await ext.worker.evaluate((key) => chrome.storage.local.get(key), STORAGE_KEYS.settings);
    expect(stored[STORAGE_KEYS.settings]).toMatchObject({
      shareResults: true,
      pinnedApps: ['open-app'],
      customServers: [{ url: 'stun:127.0.0.1:3478', label: 'Home' }],
      language: 'fr',
    });
    await page.close();
    await useSettings({ language: 'en' });
  });
});

it('logged no errors in the popup or the options page', () => {
  expect(ext.consoleErrors.filter((line) => /src\/(popup|options)\//.test(line))).toEqual([]);
});
