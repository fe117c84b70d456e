// The catalog the background checks with, so the rows name the apps the check actually probes (same rule: src/core/catalog-choice.ts).
import browser from 'webextension-polyfill';
import type { App } from '../core/catalog';
import { catalogInUse } from '../core/catalog-choice';
import { STORAGE_KEYS } from '../core/messages';
import { parseSettings } from '../core/settings';

export interface ActiveCatalog {
  apps: readonly App[];
  /** Why no catalog could be read; the UI says so instead of showing an empty list silently. */
  error: string | null;
}

export async function loadActiveCatalog(): Promise<ActiveCatalog> {
  const stored = await browser.storage.local.get([STORAGE_KEYS.catalogOverride, STORAGE_KEYS.settings]);
  const chosen = catalogInUse(
    stored[STORAGE_KEYS.catalogOverride],
    parseSettings(stored[STORAGE_KEYS.settings]).customServers,
    browser.runtime.getURL('src/options/index.html'),
  );
  return chosen.ok ? { apps: chosen.catalog.apps, error: null } : { apps: [], error: chosen.error };
}
