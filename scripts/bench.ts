// `npm run bench`: times whole checks in real Chromium against local servers (open and silent networks) and prints bundle sizes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Catalog } from '../src/core/catalog';
import { STORAGE_KEYS } from '../src/core/messages';
import type { Report } from '../src/core/report';
import { startLocalCollector } from '../tools/local-collector';
import { startTestRelay } from '../tools/test-relay';
import { startFixtures, type Fixtures } from '../tools/local-network';
import { launchExtension, type ExtensionSession } from '../tools/chromium-extension';
import { startSilentUdp, startStunResponder, type Stoppable } from '../tools/servers';
import { bundleSizes, popupBudgetLines } from './bundle-sizes';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** `npm run bench -- --lab`: also run the network-namespace lab with RUNS checks per scenario (needs root; about 10 minutes at 5). */
const WITH_LAB = process.argv.includes('--lab');
/** `-- --lab-timings=<file>`: print the lab table from a lab run's timings file (LAB_TIMINGS_PATH, default artifacts/lab-timings.json) instead of running the lab again. */
const LAB_TIMINGS = process.argv.find((arg) => arg.startsWith('--lab-timings='))?.slice('--lab-timings='.length);
/** `npm run bench -- --sizes`: build and print the bundle sizes and the popup's budget only (seconds, no browser). */
const SIZES_ONLY = process.argv.includes('--sizes');
const SIZES = (process.env.BENCH_APPS ?? '4,16,32').split(',').map(Number);
/** The open check timed without and with the call-test relay allowed (its quick call window), at each of these many apps. */
const RELAY_APPS = (process.env.BENCH_RELAY_APPS ?? '4,16').split(',').map(Number);
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

const IDLE_CLOSE_S = 10;

/** Waits for the document to close after one check; returns ms from the check's start to the close. */
async function offscreenLifetime(ext: ExtensionSession, catalog: Catalog): Promise<number> {
  const hasDocument = () =>
    ext.worker.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT] })).length > 0);
  const deadline = Date.now() + 60_000;
  while ((await hasDocument()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await timeCheck(ext, catalog);
  while ((await hasDocument()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return Date.now() - started;
}

interface LabTiming {
  scenario: string;
  firstRowMs: number | null;
  finalMs: number;
}

/** One lab run with RUNS checks per scenario (each in a fresh browser on the scenario's network): medians and the slowest. */
function labTable(): string[][] {
  const path = LAB_TIMINGS ?? 'artifacts/lab-timings-bench.json';
  // A lab failure (a wrong answer) still leaves its timings; the bench reports times, the lab verdicts.
  if (LAB_TIMINGS === undefined) {
    try {
      execFileSync('npx', ['vitest', 'run', '--project', 'lab'], { stdio: 'inherit', env: { ...process.env, LAB_TIMINGS_PATH: path, LAB_RUNS: String(RUNS) } });
    } catch {
      console.warn('the lab failed some scenarios (see above); their timings are still printed');
    }
  }
  const timings = (JSON.parse(readFileSync(path, 'utf8')) as { scenarios: LabTiming[] }).scenarios;
  const rows = [['scenario', 'first row ms', 'final ms', 'slowest final ms', 'runs']];
  for (const scenario of [...new Set(timings.map((t) => t.scenario))]) {
    const of = timings.filter((t) => t.scenario === scenario);
    const firsts = of.flatMap((t) => (t.firstRowMs === null ? [] : [t.firstRowMs]));
    const finals = of.map((t) => t.finalMs);
    rows.push([scenario, firsts.length ? median(firsts).toFixed(0) : '-', median(finals).toFixed(0), Math.max(...finals).toFixed(0), String(of.length)]);
  }
  return rows;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
// Sizes first: they need no browser, and `-- --sizes` stops after them.
console.info(`\nShipped bundle (dist/assets):\n${table(bundleSizes('dist'))}\n\n${popupBudgetLines('dist').join('\n')}`);
if (SIZES_ONLY) process.exit(0);
execFileSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'warn'], { stdio: 'inherit' });
const fx = await startFixtures();
const stuns = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
const most = Math.max(...SIZES, ...RELAY_APPS);
// Each answer maps to its own port, as a NAT does: answers that all named one address made Chrome drop most of a
// loss burst's answers as duplicates, so the paths phase's bursts went unanswered and waited out their deadline.
const answering: Stoppable[] = await Promise.all(Array.from({ length: most }, () => startStunResponder(undefined, undefined, { reflectPort: true })));
const silent: Stoppable[] = await Promise.all(Array.from({ length: most }, () => startSilentUdp()));
const ports: Ports = { answering: answering.map((s) => s.port), silent: silent.map((s) => s.port) };
let ext: ExtensionSession | undefined;
try {
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
  let peak = 0;
  const consoleErrors: string[] = [];
  const rows = [['condition', 'apps', 'probes', 'first row ms (median)', 'final ms (median)', 'confirmation pass ms (median)', `runs`]];
  for (const condition of ['open', 'apps silent', 'all silent'] as const) {
    for (const apps of SIZES) {
      const catalog = catalogFor(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }, ports, apps, condition);
      const first: number[] = [];
      const total: number[] = [];
      const confirming: number[] = [];
      let probes = 0;
      let incomplete = 0;
      // A fresh browser per row: Chrome refuses new RTCPeerConnections once its extension process holds 500 not yet
      // collected (webrtc/peer-connections.ts), and fifty checks in one process would time that limit, not the check.
      peak = Math.max(peak, (await ext.ask({ type: 'iceStats' })).peak);
      consoleErrors.push(...ext.consoleErrors);
      await ext.close();
      ext = await launchExtension({ trustCaPath: fx.pki.caPath });
      for (let attempt = 0; first.length < RUNS && attempt < 2 * RUNS; attempt += 1) {
        const timing = await timeCheck(ext, catalog);
        // A check that lost a measurement (a busy machine left the controls phase no time for the loss burst, a probe
        // error) would time as fast: its figure is left out and the check run again, and the table says how many.
        const { observations } = timing.report;
        if (timing.report.status !== 'done' || (condition === 'open' && (observations.rtt === undefined || observations.loss === undefined))) {
          incomplete += 1;
          console.warn(`${condition} ${apps} attempt ${attempt + 1}: incomplete check (status ${timing.report.status}${timing.report.error === undefined ? '' : `: ${timing.report.error}`}, rtt ${observations.rtt ? 'yes' : 'no'}, loss ${observations.loss ? 'yes' : 'no'}), left out`);
          continue;
        }
        first.push(timing.firstRowMs);
        total.push(timing.totalMs);
        // What the second look at silent targets costs (report.phases); absent where a gate (offline) skipped it.
        const confirm = timing.report.phases?.find((p) => p.phase === 'confirm');
        if (confirm?.endMs !== undefined) confirming.push(confirm.endMs - confirm.startMs);
        probes = timing.report.observations.http.length + timing.report.observations.ice.length;
      }
      if (first.length === 0) throw new Error(`${condition} ${apps}: no complete check in ${2 * RUNS} attempts`);
      const confirmMs = confirming.length > 0 ? median(confirming).toFixed(0) : '-';
      rows.push([condition, String(apps), String(probes), median(first).toFixed(0), median(total).toFixed(0), confirmMs, `${first.length}${incomplete > 0 ? ` (+${incomplete} incomplete)` : ''}`]);
    }
  }
  console.info(`\nCheck timings in Chromium (loopback servers; median of ${RUNS}):\n${table(rows)}`);

  // The quick check without and with the call-test relay: a real coturn and a collector handing out its credentials,
  // the setting off, then on (the check's quick call window runs beside the app probes on this unqueued link).
  const relay = await startTestRelay();
  const collector = await startLocalCollector({ relay: relay.relay });
  try {
    const collectorUrl = collector.url;
    const relayRows = [['relay', 'apps', 'first row ms (median)', 'final ms (median)', 'call window ms (median)', 'window end ms (median)', 'runs']];
    for (const apps of RELAY_APPS) {
      const catalog = catalogFor(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }, ports, apps, 'open');
      for (const allowed of [false, true]) {
        peak = Math.max(peak, (await ext.ask({ type: 'iceStats' })).peak);
        consoleErrors.push(...ext.consoleErrors);
        await ext.close();
        ext = await launchExtension({ trustCaPath: fx.pki.caPath });
        await ext.storage.set({ [STORAGE_KEYS.settings]: { collectorUrl, callTestRelay: allowed } });
        // The first fetch of credentials may outlast a check's wait for them: fetched before the first timed check.
        if (allowed) await ext.ask({ type: 'getRelayCredentials' });
        const first: number[] = [];
        const total: number[] = [];
        const windows: number[] = [];
        const ends: number[] = [];
        let incomplete = 0;
        for (let attempt = 0; first.length < RUNS && attempt < 2 * RUNS; attempt += 1) {
          const timing = await timeCheck(ext, catalog);
          const call = timing.report.phases?.find((p) => p.phase === 'call');
          // With the relay allowed, a check whose window gave no figure would time as if it had none: left out.
          if (timing.report.status !== 'done' || (allowed && timing.report.observations.callTest === undefined)) {
            incomplete += 1;
            console.warn(`relay ${allowed ? 'on' : 'off'} ${apps} attempt ${attempt + 1}: incomplete check (status ${timing.report.status}, call window ${call ? 'ran' : 'did not run'}), left out`);
            continue;
          }
          first.push(timing.firstRowMs);
          total.push(timing.totalMs);
          // The window runs from its connection (beside the controls) to its last straggler; its end, from the check's
          // start, is what the budget sees.
          if (call?.endMs !== undefined) {
            windows.push(call.endMs - call.startMs);
            ends.push(call.endMs);
          }
        }
        if (first.length === 0) throw new Error(`relay ${allowed ? 'on' : 'off'} ${apps}: no complete check in ${2 * RUNS} attempts`);
        const of = (values: number[]): string => (values.length > 0 ? median(values).toFixed(0) : '-');
        relayRows.push([allowed ? 'on' : 'off', String(apps), of(first), of(total), of(windows), of(ends), `${first.length}${incomplete > 0 ? ` (+${incomplete} incomplete)` : ''}`]);
      }
    }
    console.info(`\nThe open check without and with the call-test relay (its quick call window; median of ${RUNS}):\n${table(relayRows)}`);
  } finally {
    await collector.stop();
    await relay.stop();
  }

  // The offscreen document is created by the first ICE probe and closed once idle: how many connections it held
  // at once, and how long it lived for one check.
  peak = Math.max(peak, (await ext.ask({ type: 'iceStats' })).peak);
  const lifetime = await offscreenLifetime(ext, catalogFor(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }, ports, 16, 'open'));
  console.info(`\nPeak concurrent RTCPeerConnections (all runs above): ${peak}`);
  console.info(`Offscreen document lifetime for one 16-app check: ${(lifetime / 1000).toFixed(1)} s (the check, then ${IDLE_CLOSE_S} s idle)`);
  consoleErrors.push(...ext.consoleErrors);
  if (consoleErrors.length) console.warn(`console errors:\n${consoleErrors.join('\n')}`);
} finally {
  await ext?.close();
  await Promise.all([...stuns, ...answering, ...silent].map((s) => s.stop()));
  await fx.stop();
}
// After the browser above is closed: the lab starts its own, one per scenario.
if (WITH_LAB || LAB_TIMINGS !== undefined) console.info(`\nLab scenarios (network namespaces, real catalog, slow links included; median of ${RUNS} checks):\n${table(labTable())}`);
