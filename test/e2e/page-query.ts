// Finding things on a page as a person does (by role and accessible name, by text) and reading or using them; each waits for its element first, and reads it afresh on every call, so expect.poll can retry it.
import { join } from 'node:path';
import type { Browser, ElementHandle, HTTPRequest, JSHandle, Page } from 'puppeteer-core';

/** Where to look: a whole page, or inside one element of it. */
export type Scope = Page | ElementHandle<Element>;

/** How long a query waits for its element, like a locator's default. */
const WAIT_MS = 10_000;

function quoted(value: string): string {
  if (value.includes('"')) throw new Error(`cannot query a name with a double quote: ${value}`);
  return `"${value}"`;
}

/** The element with this ARIA role (and exactly this accessible name), from the accessibility tree, not the markup. */
export function byRole(role: string, name?: string): string {
  return `::-p-aria(${name === undefined ? '' : `[name=${quoted(name)}]`}[role=${quoted(role)}])`;
}

/** The innermost element whose text contains `text`. */
export function byText(text: string): string {
  return `::-p-text(${quoted(text)})`;
}

/**
 * The one element `selector` matches in `scope` (whose text contains `hasText`, if given), once there is one; more
 * than one is an error, as the query was meant to name a single thing.
 */
export async function find(scope: Scope, selector: string, hasText?: string): Promise<ElementHandle<Element>> {
  const [frame, root] = 'mainFrame' in scope ? [scope.mainFrame(), null] : [scope.frame, scope];
  if (hasText === undefined) {
    const found = await scope.waitForSelector(selector, { timeout: WAIT_MS });
    const count = (await scope.$$(selector)).length;
    if (found === null || count !== 1) throw new Error(`${count} elements match ${selector}`);
    return found;
  }
  // It settles only on a truthy value: the matches.
  const matches = (await frame.waitForFunction(
    (inside: Element | null, css: string, text: string) => {
      const all = [...(inside ?? document).querySelectorAll(css)].filter((el) => (el.textContent ?? '').includes(text));
      return all.length > 0 ? all : null;
    },
    { timeout: WAIT_MS },
    root,
    selector,
    hasText,
  )) as JSHandle<Element[]>;
  const count = await matches.evaluate((all) => all.length);
  const found = (await matches.evaluateHandle((all) => all[0])).asElement();
  if (found === null || count !== 1) throw new Error(`${count} elements match ${selector} with the text ${hasText}`);
  return found as ElementHandle<Element>;
}

/** The first element `selector` matches in `scope`, once there is one. */
export async function first(scope: Scope, selector: string): Promise<ElementHandle<Element>> {
  const found = await scope.waitForSelector(selector, { timeout: WAIT_MS });
  if (found === null) throw new Error(`nothing matches ${selector}`);
  return found;
}

/** The rendered text of an element, as a person reads it. */
export async function innerText(element: ElementHandle<Element>): Promise<string> {
  return element.evaluate((el) => (el as HTMLElement).innerText);
}

/** The rendered text of the element, as a person reads it. */
export async function textOf(scope: Scope, selector: string, hasText?: string): Promise<string> {
  return innerText(await find(scope, selector, hasText));
}

/** The rendered text of every element `selector` matches now (none waited for). */
export async function textsOf(scope: Scope, selector: string): Promise<string[]> {
  return Promise.all((await scope.$$(selector)).map(innerText));
}

export async function attribute(element: ElementHandle<Element>, name: string): Promise<string | null> {
  return element.evaluate((el, attributeName) => el.getAttribute(attributeName), name);
}

export async function attributeOf(scope: Scope, selector: string, name: string): Promise<string | null> {
  return attribute(await find(scope, selector), name);
}

/** What a form field holds now. */
export async function valueOf(scope: Scope, selector: string): Promise<string> {
  return (await find(scope, selector)).evaluate((el) => (el as HTMLInputElement).value);
}

export async function isChecked(scope: Scope, selector: string): Promise<boolean> {
  return (await find(scope, selector)).evaluate((el) => (el as HTMLInputElement).checked);
}

export async function isFocused(scope: Scope, selector: string): Promise<boolean> {
  return (await find(scope, selector)).evaluate((el) => el === document.activeElement);
}

/** How many elements match now (with `hasText` in their text, if given; none waited for). */
export async function countOf(scope: Scope, selector: string, hasText?: string): Promise<number> {
  const texts = await Promise.all((await scope.$$(selector)).map((el) => el.evaluate((node) => node.textContent ?? '')));
  return texts.filter((text) => hasText === undefined || text.includes(hasText)).length;
}

/** Whether a control can be used (not disabled). */
export async function isEnabled(scope: Scope, selector: string): Promise<boolean> {
  return (await find(scope, selector)).evaluate((el) => !(el as HTMLButtonElement).disabled);
}

/** Whether an element matches now and takes up room on the screen (none waited for). */
export async function isVisible(scope: Scope, selector: string): Promise<boolean> {
  return (await (await scope.$(selector))?.isVisible()) ?? false;
}

/** Clicks the element once it is visible, enabled and still. */
export async function click(scope: Scope, selector: string, hasText?: string): Promise<void> {
  await (await find(scope, selector, hasText)).asLocator().click();
}

/** The file a click saves into `dir`: the name the browser suggested and where it was written. */
export async function downloadBy(page: Page, dir: string, action: () => Promise<unknown>): Promise<{ suggestedFilename: string; path: string }> {
  const cdp = await page.browser().target().createCDPSession();
  try {
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: dir, eventsEnabled: true });
    const begun = new Promise<{ guid: string; suggestedFilename: string }>((done) => cdp.once('Browser.downloadWillBegin', done));
    const finished = new Promise<void>((done, fail) =>
      cdp.on('Browser.downloadProgress', (event) => {
        if (event.state === 'completed') done();
        else if (event.state === 'canceled') fail(new Error('the download was cancelled'));
      }),
    );
    await action();
    const { guid, suggestedFilename } = await begun;
    await finished;
    return { suggestedFilename, path: join(dir, guid) };
  } finally {
    await cdp.detach();
  }
}

/** Ticks a checkbox, and fails unless it ends up ticked. */
export async function check(scope: Scope, selector: string): Promise<void> {
  if (!(await isChecked(scope, selector))) await click(scope, selector);
  if (!(await isChecked(scope, selector))) throw new Error(`${selector} did not become checked`);
}

/** Replaces what a field holds with `value` in one input event, as a paste does (a tab stays a character, not a key). */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  const field = await find(page, selector);
  await field.focus();
  await field.evaluate((el) => (el as HTMLInputElement).select());
  if (value === '') await page.keyboard.press('Delete');
  else await page.keyboard.sendCharacter(value);
}

/** Hands each request of the page whose URL matches `pattern` to `handle` (to hold, continue or abort it); the rest go on. */
export async function route(page: Page, pattern: RegExp, handle: (request: HTTPRequest) => Promise<void>): Promise<void> {
  await page.setRequestInterception(true);
  page.on('request', (request) => void (pattern.test(request.url()) ? handle(request) : request.continue()));
}

/** The light or dark scheme, as the person's system would choose. */
export async function colorScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
}

/** The tab that `action` opens (a link with target=_blank, the extension opening a page), once it has loaded. */
export async function pageOpenedBy(browser: Browser, action: () => Promise<unknown>): Promise<Page> {
  const before = new Set(browser.targets());
  const [target] = await Promise.all([browser.waitForTarget((t) => t.type() === 'page' && !before.has(t), { timeout: WAIT_MS }), action()]);
  const page = await target.page();
  if (page === null) throw new Error(`no page behind ${target.url()}`);
  await page.waitForFunction(() => location.href !== 'about:blank' && document.readyState === 'complete', { timeout: WAIT_MS });
  return page;
}
