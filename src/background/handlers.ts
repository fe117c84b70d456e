// The background's named handlers, one per request type.
import browser from 'webextension-polyfill';
import type { Handlers } from './router';
import { probeHttp } from './http-probe';
import { iceHost } from './platform';
import { cancelCheck, currentState, startCheck } from './check-service';
import { clearHistory, loadHistory, setNetworkLabel } from './check-store';
import { crowdStats } from './sharing';
import { refreshCatalog } from './catalog-update';
import { fetchRelayCredentials } from './relay';
import { runCallTest } from './call-test-service';
import { deliverCallTestProgress } from './call-test-progress';

export const handlers: Handlers = {
  ping: async () => ({ pong: true, version: browser.runtime.getManifest().version }),
  probeIce: async ({ targets, deadlineMs }) => ({ results: await iceHost.run({ type: 'ice', targets, deadlineMs }) }),
  probeNat: async ({ servers, deadlineMs }) => ({ result: await iceHost.run({ type: 'nat', servers, deadlineMs }) }),
  probeRtt: async ({ target, samples, deadlineMs }) => ({ result: await iceHost.run({ type: 'rtt', target, samples, deadlineMs }) }),
  probeLoss: async ({ target, exchanges, deadlineMs }) => ({ result: await iceHost.run({ type: 'loss', target, exchanges, deadlineMs }) }),
  probeHttp: async ({ url, id, deadlineMs }) => ({ result: await probeHttp({ id: id ?? url, url }, deadlineMs) }),
  iceStats: () => iceHost.run({ type: 'stats' }),
  reportError: async ({ where, message }) => {
    console.error(`[${where}] ${message}`);
    return { logged: true };
  },
  startCheck: async ({ catalog, reflector }) => ({ reportId: (await startCheck(catalog, reflector)).reportId }),
  runCheck: async ({ catalog, reflector }) => (await startCheck(catalog, reflector)).done,
  cancelCheck: async () => ({ cancelled: cancelCheck() }),
  getState: () => currentState(),
  getHistory: async () => ({ reports: await loadHistory() }),
  getCrowdStats: async () => ({ stats: await crowdStats() }),
  refreshCatalog: async () => ({ result: await refreshCatalog() }),
  getRelayCredentials: async () => ({ result: await fetchRelayCredentials() }),
  runCallTest: ({ duration, relay }) => runCallTest(duration, relay),
  callTestProgress: async ({ id, progress }) => ({ delivered: deliverCallTestProgress(id, progress) }),
  setNetworkLabel: async ({ reportId, label }) => ({ report: await setNetworkLabel(reportId, label) }),
  clearHistory: async () => {
    await clearHistory();
    return { cleared: true };
  },
};
