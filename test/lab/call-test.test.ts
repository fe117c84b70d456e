// Runs the call-test scenarios on the lab's namespaces: the real extension's sustained call test through a real coturn
// (use-auth-secret) behind a router that cuts, meters, polices or drops the flows, five tests a scenario.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeCallTest } from '../../src/core/call-test';
import type { CallTest } from '../../src/core/call-test-result';
import { makeTestPki, trustInNssDb } from '../../tools/pki';
import { mintRelay } from '../e2e/call-relay';
import { NET } from './address-plan';
import { selectCallScenarios } from './call-scenarios';
import { launchInClientNamespace } from './lab-browser';
import { startCallRelay, type CallRelay } from './lab-services';
import { applyRouter, nftTable } from './router';
import { SCENARIOS } from './scenarios';
import { NS, addServiceAddresses, checkPrerequisites, createTopology, destroyLab, inNs, routerRuleset } from './topology';

const EXTENSION_DIR = 'dist-test';
const RUNS = Number(process.env.LAB_RUNS ?? 5);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`LAB_RUNS must be a positive integer, not ${process.env.LAB_RUNS}`);
const scenarios = selectCallScenarios(
  process.env.LAB_SCENARIO,
  SCENARIOS.map((s) => s.name),
);

let dir = '';
let nssHome = '';
let extensionDir = EXTENSION_DIR;
let relay: CallRelay | undefined;

beforeAll(async () => {
  if (scenarios.length === 0) return;
  checkPrerequisites();
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) throw new Error(`${EXTENSION_DIR}/ is missing: run "npx vite build --mode test" first`);
  dir = mkdtempSync(join(tmpdir(), 'cic-lab-call-'));
  createTopology();
  addServiceAddresses([NET.callRelayIp]);
  // Per-flow byte counts for `ct bytes` (the quota scenario): conntrack accounting, in the router's namespace only.
  inNs(NS.router, 'sysctl', ['-q', '-w', 'net.netfilter.nf_conntrack_acct=1']);
  const pki = makeTestPki(dir, ['lab.canicall.test'], []);
  nssHome = join(dir, 'nss-home');
  trustInNssDb(nssHome, pki.caPath);
  extensionDir = join(dir, 'extension');
  cpSync(EXTENSION_DIR, extensionDir, { recursive: true });
  relay = await startCallRelay(dir, 'lab-call-test-secret');
});

afterAll(async () => {
  await relay?.stop();
  if (dir !== '') {
    destroyLab();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function callTestOnce(): Promise<CallTest> {
  if (relay === undefined) throw new Error('the call relay did not start');
  const uris = [`turn:${NET.callRelayIp}:${relay.port}?transport=udp`, `turn:${NET.callRelayIp}:${relay.port}?transport=tcp`];
  const browser = await launchInClientNamespace(extensionDir, nssHome);
  try {
    return await browser.ask({ type: 'runCallTest', duration: 'full', relay: mintRelay(relay.secret, uris) });
  } finally {
    await browser.close();
  }
}

describe(`network lab: the sustained call test through our relay, ${RUNS} tests per scenario`, () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: ${scenario.description}`, { timeout: 30_000 + RUNS * 60_000 }, async () => {
      const router = scenario.router();
      applyRouter(router);
      const failures: string[] = [];
      for (let run = 1; run <= RUNS; run += 1) {
        const test = await callTestOnce();
        const outcome = judgeCallTest(test);
        const problems = scenario.judge(outcome, test);
        const { outgoing: out, incoming: inc } = test;
        console.info(
          `lab ${scenario.name} run ${run}/${RUNS}: ${problems.length === 0 ? 'right' : 'WRONG'}; ${JSON.stringify(outcome)}; ` +
            `tried ${test.tried.join(",")}, ${String(test.transport)} connect ${String(test.connectMs)} ms, loss out/in ${String(out?.lossPct)}/${String(inc?.lossPct)} %, ` +
            `jitter ${String(out?.jitterMs)}/${String(inc?.jitterMs)} ms, stalls ${String(out?.stalls)}/${String(inc?.stalls)}, ` +
            `died ${String(out?.diedAtMs)}/${String(inc?.diedAtMs)} ms, control ${String(test.control)}`,
        );
        if (problems.length > 0) failures.push(`run ${run}: ${problems.join('; ')}`);
      }
      expect(failures, `${scenario.name}\n${failures.join('\n')}\nrouter:\n${failures.length > 0 ? routerRuleset() : nftTable(router)}\n${relay?.logs() ?? ''}`).toEqual([]);
    });
  }
});
