// The one check runner of this background: real probes wired into the orchestrator, progress to open popups, reports to storage and the badge.
import browser, { type Runtime } from 'webextension-polyfill';
import { parseCatalog, withCustomServers, type Catalog, type IceTarget } from '../core/catalog';
import { catalogInUse } from '../core/catalog-choice';
import bundledCatalog from '../core/catalog.json';
import { connectionTypeOf } from '../core/connection-type';
import type { CallRelay } from '../core/call-relay';
import { parseReflector, withReflector, type Reflector } from '../core/reflection';
import { residualTargets } from '../core/residual';
import { parseSettings } from '../core/settings';
import { STORAGE_KEYS, type ProgressMessage } from '../core/messages';
import type { Report } from '../core/report';
import { judge } from '../core/verdict';
import { showOnBadge } from './badge';
import { loadCurrent, saveCurrent, saveFinished } from './check-store';
import { dnsCrossCheck } from './dns-check';
import { probeHttp } from './http-probe';
import { relayCredentials } from './relay';
import { callTestRunning, holdForQuickWindow } from './relay-turns';
import { shareIfOptedIn } from './sharing';
import { createCheckRunner, type CheckRun } from './orchestrator';
import { browserProfile } from '../platform/current';
import { browserInfo, iceHost } from './platform';

/** Test builds trust the fixtures' and the lab's address blocks; shipped builds treat them as bogons. */
const BOGON_ALLOW: readonly string[] = __TEST_BUILD__ ? ['127.0.0.0/8', '198.18.0.0/15'] : [];

const ports = new Set<Runtime.Port>();
/** The catalog of the running (or last) check: joining a running check needs no new catalog. */
let activeCatalog: Catalog | undefined;

export function attachProgressPort(port: Runtime.Port): void {
  ports.add(port);
  port.onDisconnect.addListener(() => ports.delete(port));
}

function broadcast(report: Report): void {
  const message: ProgressMessage = { type: 'report', report };
  for (const port of ports) {
    try {
      port.postMessage(message);
    } catch {
      ports.delete(port);
    }
  }
}

const runner = createCheckRunner(
  {
    probeHttp: (target, deadlineMs, signal) => probeHttp(target, deadlineMs, signal),
    probeIce: (targets, deadlineMs) => iceHost.run({ type: 'ice', targets, deadlineMs }),
    probeNat: (servers, deadlineMs) => iceHost.run({ type: 'nat', servers, deadlineMs }),
    probeRtt: (target, samples, deadlineMs) => iceHost.run({ type: 'rtt', target, samples, deadlineMs }),
    probeCall: async (relay, durationMs, window, go) => {
      // The popup's call test took the relay after this check started: no second loopback beside it, not measured.
      if (callTestRunning()) return { durationMs, tried: [] };
      const id = crypto.randomUUID();
      // The decision goes to the ICE host as its own message, whenever it comes (call-gate.ts takes either order).
      go.then((send) => iceHost.run({ type: 'callGate', id, go: send })).catch((error: unknown) => console.warn('telling the quick call window failed', error));
      return holdForQuickWindow(iceHost.run({ type: 'callTest', id, relay, durationMs, window, gated: true }));
    },
    // Only where the browser's loss burst is trustworthy (its profile says why not in Firefox).
    ...(browserProfile.measuresLoss ? { probeLoss: (target: IceTarget, exchanges: number, deadlineMs: number) => iceHost.run({ type: 'loss', target, exchanges, deadlineMs }) } : {}),
    dnsCheck: (target, http, deadlineMs, signal) => dnsCrossCheck(activeCatalog?.controls.doh, target, http, deadlineMs, signal, { allow: BOGON_ALLOW }),
    judge,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    save: async (report) => {
      if (report.status === 'running') return saveCurrent(report);
      await saveFinished(report);
      await shareIfOptedIn(report).catch((error: unknown) => console.warn('queuing the shared report failed', error));
    },
    onUpdate: (report) => {
      broadcast(report);
      showOnBadge(report).catch((error: unknown) => console.warn('badge update failed', error));
    },
    meta: { extensionVersion: browser.runtime.getManifest().version, browser: browserInfo() },
    // Read at each check's start: the person may have moved from Wi-Fi to mobile data since the last one.
    connectionType: () => connectionTypeOf((navigator as { connection?: { type?: unknown } }).connection?.type),
  },
  { bogonAllow: BOGON_ALLOW },
);

/** The catalog for a run: one the caller supplied (validated), else the one in use; with the user's own servers. */
async function chooseCatalog(supplied: unknown): Promise<Catalog> {
  const stored = await browser.storage.local.get([STORAGE_KEYS.catalogOverride, STORAGE_KEYS.settings]);
  const settings = parseSettings(stored[STORAGE_KEYS.settings]);
  const customSource = browser.runtime.getURL('src/options/index.html');
  if (supplied !== undefined) {
    const parsed = parseCatalog(supplied);
    if (!parsed.ok) throw new Error(parsed.error);
    return withCustomServers(parsed.catalog, settings.customServers, customSource);
  }
  const chosen = catalogInUse(stored[STORAGE_KEYS.catalogOverride], settings.customServers, customSource, bundledCatalog);
  if (chosen.ignored) console.warn(`ignoring the stored catalog: ${chosen.ignored}`);
  if (!chosen.ok) throw new Error(chosen.error);
  return chosen.catalog;
}

/**
 * How long a check waits at its start for the relay's credentials (they carry the reflector). Cached ones answer at
 * once; a first fetch that takes longer is left to finish and serves the next check, so a slow or unreachable
 * collector costs a check at most this, never its answer.
 */
const REFLECTOR_WAIT_MS = 1000;

/**
 * What the check may use of the call-test relay: nothing unless the person allowed it, and then the reflector its
 * credentials name and the credentials themselves, for the quick call window. Test builds may supply a reflector
 * instead (a test's own STUN responders); such a check sends nothing to a relay.
 */
async function chooseRelayUse(supplied: unknown): Promise<{ reflector?: Reflector; callRelay?: CallRelay }> {
  if (__TEST_BUILD__ && supplied !== undefined) {
    const parsed = parseReflector(supplied);
    if (!parsed.ok) throw new Error(parsed.error);
    return { reflector: parsed.reflector };
  }
  let stop: (() => void) | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    const handle = setTimeout(() => resolve(undefined), REFLECTOR_WAIT_MS);
    stop = () => clearTimeout(handle);
  });
  const credentials = await Promise.race([relayCredentials(), timeout]).finally(() => stop?.());
  if (credentials === undefined) return {};
  const { username, credential, uris, reflector } = credentials;
  // The popup's call test holds the relay: this check runs no quick window beside it (relay-turns.ts), only reflection.
  if (callTestRunning()) return { reflector };
  return { callRelay: { username, credential, uris }, reflector };
}

export async function startCheck(supplied?: unknown, suppliedReflector?: unknown): Promise<CheckRun> {
  // A second start joins the running check, whose catalog is already chosen.
  if (runner.isRunning() && activeCatalog) return runner.start(activeCatalog);
  const { reflector, callRelay } = await chooseRelayUse(suppliedReflector);
  activeCatalog = withReflector(await chooseCatalog(supplied), reflector);
  // The check before this one, saved as current whether it finished or not: its plain-TCP TURN probes may have closed
  // a server to this browser for a while (residual.ts).
  const residual = residualTargets(activeCatalog, await loadCurrent(), Date.now());
  return runner.start(activeCatalog, { ...(callRelay === undefined ? {} : { callRelay }), ...(residual.size > 0 ? { residual } : {}) });
}

export function cancelCheck(): boolean {
  return runner.cancel();
}

/**
 * The running report, else the last stored one. A stored report still marked running belongs to a worker the
 * browser stopped mid-check: it is kept, with what it measured, as failed, rather than shown as running forever.
 */
export async function currentState(): Promise<{ report: Report | null; running: boolean }> {
  const live = runner.current();
  if (live && runner.isRunning()) return { report: live, running: true };
  const stored = await loadCurrent();
  // The finished check's stored copy may have been named since (setNetworkLabel): it is the one to show.
  if (live && (stored?.id !== live.id || stored.status === 'running')) return { report: live, running: false };
  if (stored?.status === 'running') {
    const interrupted: Report = { ...stored, status: 'failed', error: 'interrupted: the browser stopped the background before the check finished' };
    await saveFinished(interrupted);
    return { report: interrupted, running: false };
  }
  return { report: stored, running: false };
}
