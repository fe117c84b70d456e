// Newer catalogs from the collector: accepted only when signed with the bundled key, valid, and newer than what is in use.
import browser from 'webextension-polyfill';
import bundledCatalog from '../core/catalog.json';
import { compareCatalogVersions, parseCatalog } from '../core/catalog';
import { STORAGE_KEYS } from '../core/messages';
import { parseSettings } from '../core/settings';
import { verifyCatalog } from '../core/verify-catalog';

export const CATALOG_ALARM = 'catalog-refresh';
const REFRESH_MINUTES = 24 * 60;
const FETCH_TIMEOUT_MS = 10_000;

export type CatalogUpdate = 'updated' | 'current' | 'skipped' | 'rejected';

async function versionInUse(): Promise<string> {
  const stored: unknown = (await browser.storage.local.get(STORAGE_KEYS.catalogOverride))[STORAGE_KEYS.catalogOverride];
  const override = stored === undefined ? null : parseCatalog(stored);
  return override?.ok ? override.catalog.version : bundledCatalog.version;
}

/**
 * Asks the collector for its catalog. Only for users who opted in to sharing: the request itself tells the collector
 * that this address runs the extension. Anything that fails to verify is dropped and the catalog in use stays.
 */
export async function refreshCatalog(): Promise<CatalogUpdate> {
  const settings = parseSettings((await browser.storage.local.get(STORAGE_KEYS.settings))[STORAGE_KEYS.settings]);
  if (!settings.shareResults || __CATALOG_PUBLIC_KEY__ === '') return 'skipped';
  const response = await fetch(new URL('/v1/catalog', settings.collectorUrl), {
    credentials: 'omit',
    cache: 'no-store',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) return 'skipped';
  const verified = await verifyCatalog(await response.json(), __CATALOG_PUBLIC_KEY__);
  if (!verified.ok) {
    console.warn(`ignoring the collector's catalog: ${verified.error}`);
    return 'rejected';
  }
  // A correctly signed but older catalog is a replay: never go back.
  if (compareCatalogVersions(verified.catalog.version, await versionInUse()) <= 0) return 'current';
  await browser.storage.local.set({ [STORAGE_KEYS.catalogOverride]: verified.catalog });
  return 'updated';
}

export async function scheduleCatalogRefresh(): Promise<void> {
  if (!(await browser.alarms.get(CATALOG_ALARM))) {
    await browser.alarms.create(CATALOG_ALARM, { delayInMinutes: 1, periodInMinutes: REFRESH_MINUTES });
  }
}
