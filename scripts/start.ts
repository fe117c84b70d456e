// `npm start`: builds the extension, runs one check in Chromium the way the popup does, and prints the answer as a table.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCatalog, type Catalog } from '../src/core/catalog';
import { headlineOf } from '../src/core/headline';
import type { Report } from '../src/core/report';
import { headlineText } from '../src/ui/headline-text';
import { createI18n } from '../src/ui/i18n-create';
import { formatMessage } from '../src/ui/message-format';
import { adviceKey, reasonKey } from '../src/ui/report-text';
import { launchExtension } from '../tools/chromium-extension';

const { values } = parseArgs({
  options: {
    headed: { type: 'boolean', default: false },
    catalog: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

interface LocaleMessages {
  [key: string]: { message: string } | undefined;
}

const en = JSON.parse(readFileSync('public/_locales/en/messages.json', 'utf8')) as LocaleMessages;
const say = (key: string, fallback: string): string => en[key]?.message ?? fallback;

function loadCatalog(path: string): Catalog {
  const parsed = parseCatalog(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.ok) throw new Error(`${path}: ${parsed.error}`);
  return parsed.catalog;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function print(report: Report, catalog: Catalog): void {
  const names = new Map(catalog.apps.map((app) => [app.id, app.name]));
  const overall = report.overall;
  console.info(`\n${say('appName', 'Can I Call?')}  ${report.finishedAt ?? report.startedAt}  (catalog ${report.catalogVersion}, ${report.status})`);
  // The popup's headline (with no pinned apps), then the vote over every app it replaced as the first answer.
  const i18n = createI18n('en', 'en', (key, substitutions) => {
    const template = en[key]?.message;
    return template === undefined ? undefined : formatMessage(template, substitutions);
  });
  const headline = headlineOf(report.apps, overall, []);
  const text = headlineText(headline, (id) => names.get(id) ?? id, i18n);
  console.info(`${text.title}${headline.confidence === undefined ? '' : ` (${headline.confidence} confidence)`}`);
  for (const line of text.lines) console.info(`  ${line}`);
  if (overall) {
    console.info(`All apps: ${say(`overall_${overall.verdict}`, overall.verdict)} (${overall.confidence} confidence)`);
    for (const reason of overall.reasons) console.info(`  - ${say(reasonKey(reason), reason)} [${reason}]`);
    if (overall.advice.length) console.info(`What might help:`);
    for (const advice of overall.advice) console.info(`  - ${say(adviceKey(advice), advice)}`);
  }
  if (report.quality) {
    const q = report.quality;
    console.info(`Quality: RTT ${Math.round(q.rttMs)} ms, jitter ${Math.round(q.jitterMs)} ms, MOS ${q.mos.toFixed(2)} (${q.band})`);
  }
  const rows = [['app', 'verdict', 'confidence', 'messaging', 'calls', 'reasons', 'advice']];
  for (const app of report.apps) {
    rows.push([names.get(app.appId) ?? app.appId, app.verdict, app.confidence, app.messaging, app.calls, app.reasons.join(', ') || '-', app.advice.join(', ') || '-']);
  }
  console.info(`\n${table(rows)}\n`);
}

if (!values['no-build']) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
const catalog = loadCatalog(values.catalog ?? 'src/core/catalog.json');
const session = await launchExtension({ extensionDir: 'dist', loopbackOnly: false, headed: values.headed });
try {
  // Open the popup as a person would; it starts the check, and runCheck joins that same run.
  const popup = await session.openPage('src/popup/index.html');
  const answer = await popup.evaluate(
    (message) => chrome.runtime.sendMessage(message) as Promise<{ ok: true; value: Report } | { ok: false; error: string }>,
    values.catalog ? { type: 'runCheck', catalog } : { type: 'runCheck' },
  );
  if (!answer.ok) {
    console.error(`The check could not run: ${answer.error}`);
    process.exitCode = 1;
  } else {
    print(answer.value, catalog);
    mkdirSync('artifacts', { recursive: true });
    const path = resolve('artifacts', `report-${answer.value.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(path, `${JSON.stringify(answer.value, null, 2)}\n`);
    console.info(`JSON report: ${path}`);
  }
  if (session.consoleErrors.length) console.warn(`Extension console errors:\n${session.consoleErrors.join('\n')}`);
} finally {
  await session.close();
}
