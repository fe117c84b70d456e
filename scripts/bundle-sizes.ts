// Bundle size per extension context (what each page or worker loads, raw and gzipped), and the popup's size against its budget.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The popup opens on every toolbar click, before the answer can show: its JavaScript stays within this, gzipped. */
export const POPUP_BUDGET_GZIP_BYTES = 25 * 1024;

/** Every chunk an entry loads, following its static imports (`from"./x.js"`, `import"./x.js"`). */
function closure(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(dir, 'assets', file), 'utf8');
    for (const match of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) if (match[1]) visit(match[1]);
  };
  visit(entry);
  return [...seen];
}

function scriptOf(dir: string, html: string): string {
  return /src="\/assets\/([^"]+\.js)"/.exec(readFileSync(join(dir, html), 'utf8'))?.[1] ?? '';
}

function gzipOf(dir: string, files: readonly string[]): number {
  return files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, 'assets', f))).length, 0);
}

/** Per extension context: what it loads, raw and gzipped (shared chunks count in each context that loads them). */
export function bundleSizes(dir: string): string[][] {
  const background = /assets\/([^'"]+\.js)/.exec(readFileSync(join(dir, 'service-worker-loader.js'), 'utf8'))?.[1] ?? '';
  const entries: [string, string][] = [
    ['background (service worker)', background],
    ['popup', scriptOf(dir, 'src/popup/index.html')],
    ['options', scriptOf(dir, 'src/options/index.html')],
    ['welcome (first run)', scriptOf(dir, 'src/welcome/index.html')],
    ['offscreen', scriptOf(dir, 'src/offscreen/index.html')],
  ];
  const rows = [['context', 'chunks', 'bytes', 'gzip']];
  for (const [name, entry] of entries) {
    const files = closure(dir, entry);
    const bytes = files.reduce((sum, f) => sum + statSync(join(dir, 'assets', f)).size, 0);
    rows.push([name, String(files.length), String(bytes), String(gzipOf(dir, files))]);
  }
  return rows;
}

/** Chunks the given ones load with import(), directly or through each other, that are not among them. */
function lazyChunks(dir: string, loaded: readonly string[]): string[] {
  const lazy = new Set<string>();
  const scan = (file: string): void => {
    const code = readFileSync(join(dir, 'assets', file), 'utf8');
    for (const match of code.matchAll(/import\(\s*[`"']\.\/([^`"']+\.js)[`"']\s*\)/g)) {
      for (const chunk of closure(dir, match[1] ?? '')) {
        if (loaded.includes(chunk) || lazy.has(chunk)) continue;
        lazy.add(chunk);
        scan(chunk);
      }
    }
  };
  loaded.forEach(scan);
  return [...lazy];
}

/** `result-extras-DAQzXeIX.js` → `result-extras`; the entry is named after its page (`index.html`). */
const chunkName = (file: string): string => file.replace(/-[\w-]{8}\.js$/, '');
const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const gzipList = (dir: string, files: readonly string[]): string =>
  files
    .map((file) => [chunkName(file), gzipOf(dir, [file])] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([name, gzip]) => `${name} ${kb(gzip)}`)
    .join(', ');

/**
 * What the popup's JavaScript budget counts, and what it leaves out: printed, never asserted in a test. Counted is
 * what every popup opening loads before its first answer can show, the page's entry chunk and every chunk it imports
 * statically (the HTML preloads them). Chunks loaded with import() once the answer is there (the call test, sharing,
 * history, naming the network, an app's evidence) are listed apart. CSS is not counted; KB are 1,024 bytes.
 */
export function popupBudgetLines(dir: string): string[] {
  const loaded = closure(dir, scriptOf(dir, 'src/popup/index.html'));
  const gzip = gzipOf(dir, loaded);
  const raw = loaded.reduce((sum, f) => sum + statSync(join(dir, 'assets', f)).size, 0);
  const lazy = lazyChunks(dir, loaded);
  const verdict = gzip <= POPUP_BUDGET_GZIP_BYTES ? 'within' : 'OVER';
  return [
    `Popup JS before its first answer (entry + static imports): ${kb(gzip)} KB gzip, budget ${kb(POPUP_BUDGET_GZIP_BYTES)} KB: ${verdict}`,
    `  ${loaded.length} chunks, ${kb(raw)} KB raw; gzip KB each: ${gzipList(dir, loaded)}`,
    `Popup JS loaded on demand after the answer (import(), not counted): ${kb(gzipOf(dir, lazy))} KB gzip in ${lazy.length} chunks: ${gzipList(dir, lazy)}`,
  ];
}
