// Background entry point: registers every listener at the top level and hands messages to the router.
import browser from 'webextension-polyfill';
import { createRouter } from './router';
import { handlers } from './handlers';
import { installWebRequestObserver } from './web-request-observer';
import { attachProgressPort } from './check-service';
import { CALL_TEST_PORT, PROGRESS_PORT, STORAGE_KEYS } from '../core/messages';
import { attachCallTestPort } from './call-test-service';
import { parseSettings } from '../core/settings';
import { RETRY_ALARM, flushQueue, onSettingsChanged } from './sharing';
import { CATALOG_ALARM, refreshCatalog, scheduleCatalogRefresh } from './catalog-update';

installWebRequestObserver();

const route = createRouter(handlers);
browser.runtime.onMessage.addListener((message: unknown) => route(message));
browser.runtime.onConnect.addListener((port) => {
  if (port.name === PROGRESS_PORT) attachProgressPort(port);
  if (port.name === CALL_TEST_PORT) attachCallTestPort(port);
});

const warn = (what: string) => (error: unknown) => console.warn(what, error);

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RETRY_ALARM) flushQueue().catch(warn('sending shared reports failed'));
  if (alarm.name === CATALOG_ALARM) refreshCatalog().catch(warn('refreshing the catalog failed'));
});
// The first-run page asks for the person's apps, language and sharing choice; only on a fresh install, never on updates.
browser.runtime.onInstalled.addListener(({ reason }) => {
  if (reason === 'install') browser.tabs.create({ url: browser.runtime.getURL('src/welcome/index.html') }).catch(warn('opening the welcome page failed'));
});
browser.runtime.onStartup.addListener(() => {
  flushQueue().catch(warn('sending shared reports failed'));
});
scheduleCatalogRefresh().catch(warn('scheduling catalog refreshes failed'));
browser.storage.onChanged.addListener((changes, area) => {
  const change = changes[STORAGE_KEYS.settings];
  if (area !== 'local' || !change) return;
  onSettingsChanged(parseSettings(change.newValue)).catch(warn('applying the sharing setting failed'));
});
