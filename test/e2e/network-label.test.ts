// Naming the network a check ran on, in real Chromium: given from the keyboard, shown in history, kept when the popup reopens, refused when bad, never shared.
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import type { Report } from '../../src/core/report';
import { defaultSettings, type Settings } from '../../src/core/settings';
import { startStunResponder, type Stoppable } from '../../tools/servers';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { testCatalog } from './test-catalog';
import { SHOTS, axeScan, shoot, text, type Language } from './page-checks';
import { attributeOf, byRole, byText, click, colorScheme, countOf, fill, find, first, innerText, isFocused, isVisible, textOf, textsOf, valueOf } from './page-query';

/** The name as the page shows it: set apart from the sentence by bidi isolates (ui/bidi.ts). */
function isolated(label: string): string {
  return `\u2068${label}\u2069`;
}

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[];

async function useSettings(settings: Partial<Settings>): Promise<void> {
  await ext.worker.evaluate((items) => chrome.storage.local.set(items), { [STORAGE_KEYS.settings]: { ...defaultSettings, ...settings } });
}

async function stored(): Promise<{ current: Report | undefined; history: Report[] }> {
  return ext.worker.evaluate(
    (keys) =>
      chrome.storage.local.get([keys.current, keys.history]).then((s) => ({ current: s[keys.current] as Report | undefined, history: (s[keys.history] ?? []) as Report[] })),
    { current: STORAGE_KEYS.current, history: STORAGE_KEYS.history },
  );
}

async function openPopup(): Promise<Page> {
  const page = await ext.newPage();
  await page.setViewport({ width: 380, height: 700 });
  await colorScheme(page, 'light');
  await page.goto(`chrome-extension://${ext.extensionId}/src/popup/index.html`);
  return page;
}

/** Finished: no running answer, no pending row, the three test apps judged, and the naming control loaded. */
async function waitForResult(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('.overall--running') === null &&
      document.querySelector('.app-row--pending') === null &&
      document.querySelectorAll('.app-row__toggle').length === 3 &&
      document.querySelector('.network-name') !== null,
    { timeout: 30_000 },
  );
}

/** Opens the field from the keyboard, types the name and presses Enter, as a person without a mouse would. */
async function nameFromKeyboard(page: Page, language: Language, label: string): Promise<void> {
  await (await find(page, byRole('button', text(language, 'network_name_button')))).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => isFocused(page, byRole('textbox', text(language, 'network_name_field')))).toBe(true);
  await page.keyboard.type(label);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  fx = await startFixtures();
  stuns = [
    await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'),
    await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3'),
  ];
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
  await ext.worker.evaluate((items) => chrome.storage.local.set(items), {
    [STORAGE_KEYS.catalogOverride]: testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }),
  });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

describe('naming the network of a check', () => {
  let named: Report;

  it('names the shown check from the keyboard, stores the name with it, and shows it in its history row', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    await nameFromKeyboard(page, 'en', 'Home Wi-Fi');
    await expect.poll(() => textOf(page, '.network-name__shown')).toContain(text('en', 'network_name_shown').replace('$1', isolated('Home Wi-Fi')));
    // Focus comes back to a control the person can use again, and shows where it is.
    const rename = byRole('button', text('en', 'network_name_rename'));
    await expect.poll(() => isFocused(page, rename)).toBe(true);
    expect(await (await find(page, rename)).evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    expect(await textOf(page, '.network-name [role="status"]')).toBe(text('en', 'network_name_saved'));
    await shoot(page, 'popup-en-network-named');

    const { current, history } = await stored();
    expect(current?.networkLabel).toBe('Home Wi-Fi');
    const inHistory = history.find((report) => report.id === current?.id);
    if (inHistory === undefined) throw new Error('the named check is not in the history');
    expect(inHistory.networkLabel).toBe('Home Wi-Fi');
    named = inHistory;
    expect((await ext.ask({ type: 'getState' })).report?.networkLabel).toBe('Home Wi-Fi');

    await click(page, byRole('button', text('en', 'popup_history')));
    await expect.poll(async () => innerText(await first(page, '.history__item'))).toContain(text('en', 'history_network_name').replace('$1', isolated('Home Wi-Fi')));
    expect(await axeScan(page)).toEqual([]);
    await shoot(page, 'popup-en-history-named');
    await page.close();
  });

  it('keeps the name when the popup reopens and a new check runs: the history row still says it', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    // The new check is a check of its own, not named yet; headless Chromium does not tell the kind of link, so no name is offered.
    expect(await isVisible(page, byRole('button', text('en', 'network_name_button')))).toBe(true);
    expect(await countOf(page, '#network-name')).toBe(0);
    await click(page, byRole('button', text('en', 'popup_history')));
    await page.waitForSelector('.history__item');
    const rows = await textsOf(page, '.history__item');
    expect(rows).toHaveLength(2);
    expect(rows[0]).not.toContain('Home Wi-Fi');
    expect(rows[1]).toContain('Home Wi-Fi');
    await page.close();
  });

  it('refuses a name with a control character in plain words, keeps what was typed, and changes nothing stored', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    const before = await stored();
    await click(page, byRole('button', text('en', 'network_name_button')));
    const field = byRole('textbox', text('en', 'network_name_field'));
    // A text field drops line breaks but keeps a tab, pasted from elsewhere.
    await fill(page, field, 'Office\tWi-Fi');
    await click(page, byRole('button', text('en', 'network_name_save')));
    await expect.poll(() => textOf(page, '#network-name-error')).toBe(text('en', 'network_name_control'));
    expect(await attributeOf(page, field, 'aria-invalid')).toBe('true');
    expect(await valueOf(page, field)).toBe('Office\tWi-Fi');
    expect(await stored()).toEqual(before);
    // The background refuses it too, whoever asks, with an error that says why.
    const reportId = before.current?.id ?? '';
    await expect(ext.ask({ type: 'setNetworkLabel', reportId, label: 'x'.repeat(41) })).rejects.toThrow('at most 40 characters');
    await expect(ext.ask({ type: 'setNetworkLabel', reportId: named.id, label: 'Home\nWi-Fi' })).rejects.toThrow('no line break or control character');
    expect(await stored()).toEqual(before);
    expect(await axeScan(page)).toEqual([]);
    await page.close();
  });

  it('says so in plain words when the check is no longer stored, keeping the name typed', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    const before = await stored();
    // The person cleared the history in the options page while the popup stayed open.
    await ext.worker.evaluate((keys) => chrome.storage.local.remove(keys), [STORAGE_KEYS.current, STORAGE_KEYS.history]);
    await nameFromKeyboard(page, 'en', 'Café');
    const alert = '.network-name [role="alert"]';
    await expect.poll(() => textOf(page, `${alert} p`)).toBe(text('en', 'network_name_save_error'));
    expect(await valueOf(page, byRole('textbox', text('en', 'network_name_field')))).toBe('Café');
    await click(await find(page, alert), byText(text('en', 'technical_details')));
    expect(await textOf(page, `${alert} code`)).toContain('no stored check has the id');
    // Put back what the test took away, named check included.
    await ext.worker.evaluate((items) => chrome.storage.local.set(items), { [STORAGE_KEYS.current]: before.current, [STORAGE_KEYS.history]: before.history });
    await page.close();
  });

  it('offers, pre-filled, the name of the last check on the same kind of link, and saves it only when asked', async () => {
    await useSettings({ language: 'en' });
    const page = await openPopup();
    await waitForResult(page);
    // Headless Chromium does not tell the kind of link: the stored checks are told it, as a phone on mobile data would.
    const { current, history } = await stored();
    const older = history.find((report) => report.id === named.id);
    // A later check other than the one shown, so that picking it from the history shows it afresh.
    const newer = history.find((report) => report.id !== current?.id && report.networkLabel === undefined && Date.parse(report.startedAt) > Date.parse(named.startedAt));
    if (older === undefined || newer === undefined) throw new Error('the history lacks the named check or a later one');
    const cellular = { type: 'cellular' as const };
    await ext.worker.evaluate(
      ([key, reports]) => chrome.storage.local.set({ [key]: reports }),
      [STORAGE_KEYS.history, history.map((report) => (report.id === older.id || report.id === newer.id ? { ...report, connection: cellular } : report))] as const,
    );
    await click(page, byRole('button', text('en', 'popup_history')));
    await page.waitForSelector('.history__item');
    await click(page, `.history__item:has(time[datetime="${newer.startedAt}"]) button`);
    await expect.poll(() => valueOf(page, byRole('textbox', text('en', 'network_name_field')))).toBe('Home Wi-Fi');
    expect(await textOf(page, '#network-name-hint')).toBe(text('en', 'network_name_suggested').replace('$1', text('en', 'connection_cellular_link')));
    // Offered, not saved: the check has no name until the person saves it.
    expect((await stored()).history.find((report) => report.id === newer.id)?.networkLabel).toBeUndefined();
    await click(page, byRole('button', text('en', 'network_name_save')));
    await expect.poll(async () => (await stored()).history.find((report) => report.id === newer.id)?.networkLabel).toBe('Home Wi-Fi');
    await page.close();
  });

  it('reads right to left in Arabic, in light and dark, with no serious accessibility violation', async () => {
    await useSettings({ language: 'ar' });
    const page = await openPopup();
    await waitForResult(page);
    await nameFromKeyboard(page, 'ar', 'واي فاي المكتب');
    await expect.poll(() => textOf(page, '.network-name__shown')).toContain('واي فاي المكتب');
    await click(page, byRole('button', text('ar', 'network_name_rename')));
    expect(await valueOf(page, byRole('textbox', text('ar', 'network_name_field')))).toBe('واي فاي المكتب');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    expect(await axeScan(page)).toEqual([]);
    await shoot(page, 'popup-ar-network-name-light');
    await colorScheme(page, 'dark');
    expect(await axeScan(page)).toEqual([]);
    await shoot(page, 'popup-ar-network-name-dark');
    // Escape closes the field without saving what changed.
    await fill(page, byRole('textbox', text('ar', 'network_name_field')), 'شيء آخر');
    await page.keyboard.press('Escape');
    await expect.poll(() => textOf(page, '.network-name__shown')).toContain('واي فاي المكتب');
    await page.close();
  });

  it('never puts the name in what sharing would send', async () => {
    const { report } = await ext.ask({ type: 'getState' });
    expect(report?.networkLabel).toBe('واي فاي المكتب');
    await useSettings({ language: 'en' });
    // The options page previews exactly what sharing sends for the last finished check: this one, named.
    const page = await ext.openPage('src/options/index.html');
    const payload = await textOf(page, 'pre.payload');
    const shared = JSON.parse(payload) as Record<string, unknown>;
    expect(shared).toMatchObject({ schema: 1, hour: expect.stringMatching(/:00:00Z$/) });
    expect(payload).not.toContain('واي فاي المكتب');
    expect(payload).not.toContain('networkLabel');
    await page.close();
  });

  it('logged no errors in the popup or the options page', () => {
    expect(ext.consoleErrors.filter((line) => /src\/(popup|options)\//.test(line))).toEqual([]);
  });
});
