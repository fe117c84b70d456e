// Runs every lab scenario on a real network of namespaces with the real extension and the bundled catalog, asserting per-app verdicts and the overall answer.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/core/catalog';
import catalogData from '../../src/core/catalog.json';
import { REFLECTOR_CONTROL_ID } from '../../src/core/reflection';
import { parseReport, type Report } from '../../src/core/report';
import { makeTestPki, trustInNssDb, type TestPki } from '../../tools/pki';
import { NET, addressPlan, certificateNames, labCatalog, labReflectorPorts } from './address-plan';
import { launchInClientNamespace, type LabBrowser } from './lab-browser';
import { CALL_RELAY_PORT, serviceAddresses, startCallRelay, startCollector, startServices, type CallRelay, type LabCollector, type LabServices } from './lab-services';
import { applyRouter, nftTable, tcStats } from './router';
import { SCENARIOS, selectScenarios, type Scenario } from './scenarios';
import { falselyBlocked } from './truth';
import { addServiceAddresses, checkPrerequisites, createTopology, destroyLab, routerRuleset } from './topology';

const EXTENSION_DIR = 'dist-test';
/** A private copy: other test runs rebuild dist-test (emptying it) while the lab's browsers load it. */
let extensionDir = EXTENSION_DIR;
/** Where per-scenario timings go; `npm run bench -- --lab` gives each of its runs its own file. */
const TIMINGS_PATH = process.env.LAB_TIMINGS_PATH ?? 'artifacts/lab-timings.json';

const parsedCatalog = parseCatalog(catalogData);
if (!parsedCatalog.ok) throw new Error(parsedCatalog.error);
const catalog = parsedCatalog.catalog;
const plan = addressPlan(catalog);
/** What each check runs: the bundled catalog with its IP-literal servers at their lab addresses (same ids, same verdicts). */
const checkCatalog = labCatalog(catalog, plan);
const scenarios = selectScenarios(process.env.LAB_SCENARIO);

/** Checks per scenario, each in a fresh browser on the same network: a false "blocked" in any of them fails it. */
const RUNS = Number(process.env.LAB_RUNS ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`LAB_RUNS must be a positive integer, not ${process.env.LAB_RUNS}`);

interface Timing {
  scenario: string;
  /** 1-based: which of the scenario's checks. */
  run: number;
  /** Asking for a check → first progress message with an app row (the popup's first row). */
  firstRowMs: number | null;
  /** Asking for a check → the final report. */
  finalMs: number;
  /** The report's own finishedAt − startedAt. */
  checkMs: number | null;
}

const timings: Timing[] = [];
let dir = '';
let pki: TestPki;
/** A HOME whose .pki/nssdb trusts the lab CA; each browser gets a copy. */
let nssHome = '';
let services: LabServices | undefined;
/** Our relay and collector, started only when a selected scenario allows the relay. */
let relay: CallRelay | undefined;
let collector: LabCollector | undefined;

beforeAll(async () => {
  checkPrerequisites();
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`${EXTENSION_DIR}/ is missing: run "npm run test:lab" (it builds it) or "npx vite build --mode test" first`);
  }
  dir = mkdtempSync(join(tmpdir(), 'cic-lab-'));
  createTopology();
  addServiceAddresses(serviceAddresses(plan));
  pki = makeTestPki(dir, certificateNames(plan), []);
  // One trust store for every browser of the run (certutil twice per launch costs a second on a busy machine).
  nssHome = join(dir, 'nss-home');
  trustInNssDb(nssHome, pki.caPath);
  extensionDir = join(dir, 'extension');
  cpSync(EXTENSION_DIR, extensionDir, { recursive: true });
  services = await startServices(plan, pki, dir);
  if (scenarios.some((s) => s.relay)) {
    addServiceAddresses([NET.callRelayIp, NET.collectorIp]);
    const reflectorPorts = labReflectorPorts(catalog, CALL_RELAY_PORT);
    relay = await startCallRelay(dir, randomBytes(24).toString('hex'), reflectorPorts);
    collector = await startCollector(dir, relay, reflectorPorts);
  }
});

afterAll(async () => {
  await collector?.stop();
  await relay?.stop();
  await services?.stop();
  destroyLab();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  writeTimings();
});

/** Keeps timings of scenarios not run this time, so a single-scenario run does not erase the rest. */
function writeTimings(): void {
  if (timings.length === 0) return;
  let previous: Timing[] = [];
  try {
    const stored = JSON.parse(readFileSync(TIMINGS_PATH, 'utf8')) as { scenarios?: Timing[] };
    previous = stored.scenarios ?? [];
  } catch {
    // First run, or an unreadable file: start over.
  }
  const ran = new Set(timings.map((t) => t.scenario));
  const order = new Map(SCENARIOS.map((s, i) => [s.name, i]));
  const merged = [...previous.filter((t) => !ran.has(t.scenario)), ...timings].sort(
    (a, b) => (order.get(a.scenario) ?? 99) - (order.get(b.scenario) ?? 99),
  );
  mkdirSync('artifacts', { recursive: true });
  writeFileSync(TIMINGS_PATH, `${JSON.stringify({ generatedAt: new Date().toISOString(), catalogVersion: catalog.version, scenarios: merged }, null, 2)}\n`);
}

/** A target probed again after the parallel pass (a confirmation pass) says so. */
const passes = (attempts: number | undefined): string => (attempts !== undefined && attempts > 1 ? ` (${attempts} passes)` : '');

/** What a failing scenario needs for diagnosis: every probe outcome in one screen. */
function describeReport(report: Report): string {
  const o = report.observations;
  const http = o.http.map((r) => `  http ${r.id}: ${r.outcome}${r.status === undefined ? '' : ` ${r.status}`}${r.failure ? ` ${r.failure}` : ''}${r.rawError ? ` (${r.rawError})` : ''}${r.ip ? ` ip=${r.ip}` : ''} ${r.ms}ms${passes(r.attempts)}`);
  const ice = o.ice.map((r) => `  ice ${r.id}: ${r.outcome} ${r.evidence}${r.errorCode === undefined ? '' : ` ${r.errorCode}`}${r.failure ? ` ${r.failure}` : ''} ${r.ms}ms${passes(r.attempts)}`);
  const dns = o.dns.map((d) => `  dns ${d.targetId} ${d.host}: system=${d.system} doh=${d.doh} → ${d.verdict}`);
  const apps = report.apps.map((a) => `  app ${a.appId}: ${a.verdict} ${a.confidence} m=${a.messaging} c=${a.calls} [${a.reasons.join(', ')}]`);
  return [
    `status ${report.status}${report.error ? ` (${report.error})` : ''}, baseline ${report.baselineRttMs ?? '-'} ms`,
    `nat ${JSON.stringify(o.nat)}`,
    `rtt ${JSON.stringify(o.rtt)}`,
    `loaded rtt ${JSON.stringify(o.loadedRtt)}`,
    `loss ${JSON.stringify(o.loss)}`,
    `quic ${JSON.stringify(o.quic)}`,
    `phases ${(report.phases ?? []).map((p) => `${p.phase} ${p.startMs}-${p.endMs ?? '?'}`).join(', ')}`,
    `call ${o.callTest === undefined ? '-' : `${o.callTest.transport ?? 'no path'} connect ${o.callTest.connectMs ?? '-'} ms, tried ${o.callTest.tried.join('/')}, out ${o.callTest.outgoing?.received ?? '-'}/${o.callTest.outgoing?.sent ?? '-'}, in ${o.callTest.incoming?.received ?? '-'}/${o.callTest.incoming?.sent ?? '-'}`}`,
    ...(o.paths?.rtt ?? []).map((r) => `  path rtt ${r.targetId}: median ${r.medianMs ?? '-'} jitter ${r.jitterMs ?? '-'} samples ${JSON.stringify(r.samples)}`),
    ...(o.paths?.loss ?? []).map((l) => `  path loss ${l.targetId}: ${JSON.stringify(l)}`),
    `quality ${JSON.stringify(report.quality)}`,
    `overall ${JSON.stringify(report.overall)}`,
    ...apps,
    ...http,
    ...ice,
    ...dns,
  ].join('\n');
}

/**
 * Turns the call-test relay on in a fresh browser and has it fetch the relay's credentials before the check, as a
 * person's browser holds them from an earlier check or call test: a check waits at most a second for them
 * (check-service.ts), and this lab tests what the check does with the reflector, not a first fetch's race.
 */
async function allowRelay(browser: LabBrowser): Promise<void> {
  if (collector === undefined) throw new Error('the lab collector did not start');
  await browser.allowCallTestRelay(collector.url);
  const { result } = await browser.ask({ type: 'getRelayCredentials' });
  if (!result.ok) throw new Error(`no relay credentials from the lab collector: ${result.problem} ${result.detail}\n${collector.logs()}`);
}

/** One check in a fresh browser, timed. */
async function checkOnce(scenario: Scenario): Promise<{ report: Report; timing: Omit<Timing, 'scenario' | 'run'> }> {
  const browser = await launchInClientNamespace(extensionDir, nssHome, plan.hosts.filter((h) => h.http3).map((h) => h.name));
  try {
    if (scenario.relay) await allowRelay(browser);
    const timed = await browser.runCheck(checkCatalog);
    const { report } = timed;
    const finished = report.finishedAt === undefined ? Number.NaN : Date.parse(report.finishedAt);
    const checkMs = finished - Date.parse(report.startedAt);
    return { report, timing: { firstRowMs: timed.firstRowMs ?? null, finalMs: timed.totalMs, checkMs: Number.isFinite(checkMs) ? checkMs : null } };
  } finally {
    await browser.close();
  }
}

/** One line per check for the log: which apps read what. */
function summary(report: Report): string {
  const by = new Map<string, string[]>();
  for (const a of report.apps) {
    const key = `${a.verdict}${a.reasons.length > 0 ? ` [${a.reasons.join(', ')}]` : ''}`;
    by.set(key, [...(by.get(key) ?? []), a.appId]);
  }
  const overall = report.overall === undefined ? 'none' : `${report.overall.verdict}/${report.overall.confidence} [${report.overall.reasons.join(', ')}]`;
  return `overall ${overall}; ${[...by.entries()].map(([key, apps]) => `${key}: ${apps.join(' ')}`).join('; ')}`;
}

interface RunResult {
  run: number;
  report: Report;
  /** Apps read as blocked that the network does not block. */
  falseBlocked: string[];
  /** Everything wrong with the answer (false blocks included); empty when right. */
  problems: string[];
  /** Wrong against the truth but the answer chance allows (the scenario's `chance.miss`). */
  chanceMiss: boolean;
}

/**
 * The relay is probed exactly when the scenario allows it (a relay scenario's truth could otherwise pass without it),
 * and its quick call window runs only then.
 */
function reflectionProblems(scenario: Scenario, report: Report): string[] {
  const reflected = report.observations.ice.filter((r) => r.id.startsWith('reflector.')).map((r) => r.id);
  if (scenario.relay && !reflected.includes(REFLECTOR_CONTROL_ID)) return ["the relay was allowed, but the check did not probe the relay's own port"];
  if (!scenario.relay && reflected.length > 0) return [`the relay was off, but the check probed ${reflected.join(', ')}`];
  if (!scenario.relay && (report.observations.callTest !== undefined || report.phases?.some((p) => p.phase === 'call'))) return ['the relay was off, but the check ran its quick call window'];
  return [];
}

function judgeRun(scenario: Scenario, run: number, report: Report): RunResult {
  const truth = scenario.truth(catalog);
  const parsed = parseReport(report);
  const falseBlocked = falselyBlocked(report, truth);
  const problems = [
    ...(parsed.ok ? [] : [`invalid report: ${parsed.error}`]),
    ...(report.status === 'done' ? [] : [`status ${report.status}${report.error ? ` (${report.error})` : ''}`]),
    ...truth.judge(report),
    ...reflectionProblems(scenario, report),
  ];
  // A false block the truth's own rules did not already name (a "blocked" messaging or calls part of a row).
  for (const app of falseBlocked) if (!problems.some((p) => p.startsWith(`${app.split(' ')[0] ?? ''}:`))) problems.push(`false blocked: ${app}`);
  const chance = scenario.chance;
  const chanceMiss = problems.length > 0 && falseBlocked.length === 0 && chance !== undefined && chance.miss(catalog).judge(report).length === 0;
  return { run, report, falseBlocked, problems, chanceMiss };
}

describe(`network lab: the bundled catalog on real networks, ${RUNS} checks per scenario`, () => {
  for (const scenario of scenarios) {
    // A slow link's check can take 10-20 s, and a browser start a few more.
    it(`${scenario.name}: ${scenario.description}`, { timeout: 30_000 + RUNS * 45_000 }, async () => {
      const router = scenario.router(plan);
      applyRouter(router);
      await services?.setDns(scenario.dns?.(plan) ?? {});
      const results: RunResult[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        // Each run is a fresh browser, as another person on the network: the router forgets what earlier runs put in
        // its dynamic sets (a protocol filter's penalties, tcp443-protocol-filter).
        if (run > 1) applyRouter(router);
        const { report, timing } = await checkOnce(scenario);
        timings.push({ scenario: scenario.name, run, ...timing });
        const result = judgeRun(scenario, run, report);
        results.push(result);
        const verdict = result.problems.length === 0 ? 'right' : result.chanceMiss ? 'chance miss' : result.falseBlocked.length > 0 ? 'FALSE BLOCKED' : 'WRONG';
        console.info(`lab ${scenario.name} run ${run}/${RUNS}: ${verdict}, ${(timing.finalMs / 1000).toFixed(1)} s; ${summary(report)}`);
        if (process.env.LAB_VERBOSE) console.info(describeReport(report));
      }
      const misses = results.filter((r) => r.chanceMiss);
      const allowed = scenario.chance?.misses ?? 0;
      if (misses.length > 0 && misses.length <= allowed) console.warn(`lab ${scenario.name}: ${misses.length} run(s) read less than the truth by chance (${scenario.chance?.why ?? ''})`);
      const failed = results.filter((r) => r.problems.length > 0 && !(r.chanceMiss && misses.length <= allowed));
      const falseBlocks = results.filter((r) => r.falseBlocked.length > 0).length;
      const context = failed
        .map((r, i) => {
          const head = `run ${r.run}/${RUNS}:\n  ${r.problems.join('\n  ')}`;
          // The whole report for the first failing run only: one screen is enough to diagnose.
          return i === 0 ? `${head}\n${describeReport(r.report)}` : head;
        })
        .join('\n');
      expect(
        failed.map((r) => r.run),
        `scenario ${scenario.name}: ${RUNS - failed.length}/${RUNS} right, ${falseBlocks} with a false "blocked"\n${context}\nrouter:\n${failed.length > 0 ? `${routerRuleset()}\n${tcStats()}` : nftTable(router)}`,
      ).toEqual([]);
    });
  }
});
