// `npm run bench`: times whole checks in real Chromium against local servers (open and silent networks) and prints bundle sizes.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Catalog } from '../src/core/catalog';
import type { Report } from '../src/core/report';
import { startFixtures, type Fixtures } from '../test/e2e/fixtures';
import { launchExtension, type ExtensionSession } from '../test/e2e/harness';
import { startSilentUdp, startStunResponder, type Stoppable } from '../test/support/servers';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_APPS ?? '4,16,32').split(',').map(Number);
const source = 'https://github.com/can-i-call/can-i-call/tree/main/scripts/bench.ts';

type Condition = 'open' | 'apps silent' | 'all silent';

/** One UDP port per app, so no probe is deduplicated away: STUN responders when open, swallowing sockets when silent. */
interface Ports {
  answering: number[];
  silent: number[];
}

function catalogFor(fx: Fixtures, stun: { a: number; b: number }, ports: Ports, apps: number, condition: Condition): Catalog {
  const silentHttp = `https://127.0.0.1:${fx.https.hang.port}`;
  const okHttp = `https://127.0.0.1:${fx.https.ok.port}`;
  const controlsSilent = condition === 'all silent';
  const appsSilent = condition !== 'open';
  return {
    version: '2026.11.23.9',
    controls: {
      http: [{ id: 'control.http', url: `${controlsSilent ? silentHttp : okHttp}/generate_204`, source }],
      stun: controlsSilent
        ? [
            { id: 'control.stun-a', url: `stun:127.0.0.1:${fx.silentUdp.port}`, source },
            { id: 'control.stun-b', url: `stun:127.0.0.2:${fx.silentUdp.port}`, source },
          ]
        : [
            { id: 'control.stun-a', url: `stun:127.0.0.2:${stun.a}`, source },
            { id: 'control.stun-b', url: `stun:127.0.0.3:${stun.b}`, source },
          ],
    },
    apps: Array.from({ length: apps }, (_, i) => ({
      id: `app-${i}`,
      name: `App ${i}`,
      // Distinct URLs (a query per app), so nothing is deduplicated away.
      signalling: [{ id: `app-${i}.web`, url: `${appsSilent ? silentHttp : okHttp}/app/${i}`, source }],
      media: [
        { id: `app-${i}.stun`, url: `stun:127.0.0.1:${(appsSilent ? ports.silent : ports.answering)[i] ?? 0}`, source },
      ],
      transports: ['udp', 'tcp'],
      udpPorts: [3478],
      mediaConfidence: 'medium',
      sources: [source],
    })),
  };
}

/** Runs one check from an extension page and times the first app row and the final report, as the popup sees them. */
async function timeCheck(ext: ExtensionSession, catalog: Catalog): Promise<{ firstRowMs: number; totalMs: number; report: Report }> {
  const page = await ext.openPage('src/options/index.html');
  try {
    return await page.evaluate(async (catalogArg) => {
      const started = performance.now();
      let firstRowMs = -1;
      const port = chrome.runtime.connect({ name: 'progress' });
      port.onMessage.addListener((message: { report?: { apps: unknown[] } }) => {
        if (firstRowMs < 0 && (message.report?.apps.length ?? 0) > 0) firstRowMs = performance.now() - started;
      });
      const answer = (await chrome.runtime.sendMessage({ type: 'runCheck', catalog: catalogArg })) as { ok: boolean; value: Report; error?: string };
      const totalMs = performance.now() - started;
      port.disconnect();
      if (!answer.ok) throw new Error(answer.error);
      return { firstRowMs, totalMs, report: answer.value };
    }, catalog);
  } finally {
    await page.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function bundleSizes(dir: string): string[][] {
  const files = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  const rows = [['chunk', 'bytes', 'gzip']];
  for (const file of files.sort()) {
    const data = readFileSync(join(dir, 'assets', file));
    rows.push([file, String(statSync(join(dir, 'assets', file)).size), String(gzipSync(data).length)]);
  }
  return rows;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

execFileSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'warn'], { stdio: 'inherit' });
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
const fx = await startFixtures();
const stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
const most = Math.max(...SIZES);
const answering: Stoppable[] = await Promise.all(Array.from({ length: most }, () => startStunResponder()));
const silent: Stoppable[] = await Promise.all(Array.from({ length: most }, () => startSilentUdp()));
const ports: Ports = { answering: answering.map((s) => s.port), silent: silent.map((s) => s.port) };
const ext = await launchExtension({ trustCaPath: fx.pki.caPath });
try {
  const rows = [['condition', 'apps', 'probes', 'first row ms (median)', 'final ms (median)', `runs`]];
  for (const condition of ['open', 'apps silent', 'all silent'] as const) {
    for (const apps of SIZES) {
      const catalog = catalogFor(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }, ports, apps, condition);
      const first: number[] = [];
      const total: number[] = [];
      let probes = 0;
      for (let run = 0; run < RUNS; run += 1) {
        const timing = await timeCheck(ext, catalog);
        first.push(timing.firstRowMs);
        total.push(timing.totalMs);
        probes = timing.report.observations.http.length + timing.report.observations.ice.length;
      }
      rows.push([condition, String(apps), String(probes), median(first).toFixed(0), median(total).toFixed(0), String(RUNS)]);
    }
  }
  console.info(`\nCheck timings in Chromium (loopback servers; median of ${RUNS}):\n${table(rows)}`);
  console.info(`\nShipped bundle (dist/assets):\n${table(bundleSizes('dist'))}`);
  if (ext.consoleErrors.length) console.warn(`console errors:\n${ext.consoleErrors.join('\n')}`);
} finally {
  await ext.close();
  await Promise.all([...stuns, ...answering, ...silent].map((s) => s.stop()));
  await fx.stop();
}
