// The background's named handlers, one per request type.
import browser from 'webextension-polyfill';
import type { Handlers } from './router';
import { probeHttp } from './http-probe';
import { iceHost } from './platform';

const notYet = (what: string) => () => Promise.reject(new Error(`${what} is not available in this build yet`));

export const handlers: Handlers = {
  ping: async () => ({ pong: true, version: browser.runtime.getManifest().version }),
  probeIce: async ({ targets, deadlineMs }) => ({ results: await iceHost.run({ type: 'ice', targets, deadlineMs }) }),
  probeHttp: async ({ url, id, deadlineMs }) => ({ result: await probeHttp({ id: id ?? url, url }, deadlineMs) }),
  reportError: async ({ where, message }) => {
    console.error(`[${where}] ${message}`);
    return { logged: true };
  },
  startCheck: notYet('startCheck'),
  runCheck: notYet('runCheck'),
  cancelCheck: notYet('cancelCheck'),
  getState: notYet('getState'),
  getHistory: notYet('getHistory'),
  clearHistory: notYet('clearHistory'),
};
