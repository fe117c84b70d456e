// What the page-level e2e tests share: the UI's messages per language, an axe scan and whole-page screenshots.
import { readFileSync } from 'node:fs';
import type { AxeResults } from 'axe-core';
import type { Page } from 'puppeteer-core';

export const SHOTS = 'artifacts/screenshots';
export const LANGUAGES = ['en', 'ar', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

const messages = Object.fromEntries(
  LANGUAGES.map((language) => [
    language,
    JSON.parse(readFileSync(`public/_locales/${language}/messages.json`, 'utf8')) as Record<string, { message: string }>,
  ]),
) as Record<Language, Record<string, { message: string }>>;

/** A UI message as the locale file has it; a missing key fails the test that asked for it. */
export function text(language: Language, key: string): string {
  const entry = messages[language][key];
  if (entry === undefined) throw new Error(`no ${language} message ${key}`);
  return entry.message;
}

const AXE_SOURCE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

/**
 * axe's serious and critical violations on the page. page.addScriptTag injects an inline script, which the
 * extension's CSP (script-src 'self') and the results page's (no script at all) refuse; evaluating through the
 * debugger protocol is not subject to the page's CSP.
 */
export async function axeScan(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => (window as unknown as { axe: { run(context: Document): Promise<AxeResults> } }).axe.run(document));
  // A scan that checked nothing would pass silently.
  if (results.passes.length === 0) throw new Error('axe ran no checks');
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/**
 * The whole page into SHOTS/<name>.png. The viewport grows to the content instead of using fullPage: with classic
 * scrollbars a fullPage shot lays the page out without the scrollbar but keeps the narrower clip, which cuts off
 * the inline end.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  const viewport = page.viewport() ?? { width: 380, height: 700 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewport({ ...viewport, height: Math.max(height, viewport.height) });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.setViewport(viewport);
}
