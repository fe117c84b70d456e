// The catalog the background checks with, so the rows name the apps the check actually probes (same rule: src/core/catalog-choice.ts).
import { browser } from './extension-api';
import type { App } from '../core/catalog';
import { catalogInUse } from '../core/catalog-choice';
import bundledCatalogUrl from '../core/catalog.json?url';
import { STORAGE_KEYS } from '../core/messages';
import { parseSettings } from '../core/settings';

export interface ActiveCatalog {
  apps: readonly App[];
  /** Why no catalog could be read; the UI says so instead of showing an empty list silently. */
  error: string | null;
  /**
   * A control page to open behind a captive portal: the portal answers it with its sign-in page.
   * Plain http first, since a portal cannot intercept https without a certificate error.
   */
  portalUrl: string | undefined;
}

/** The shipped catalog, read as a file: imported, its data would weigh on every page's JavaScript. */
async function fetchBundled(): Promise<unknown> {
  const response = await fetch(bundledCatalogUrl);
  if (!response.ok) throw new Error(`could not read the bundled catalog (HTTP ${response.status})`);
  return response.json();
}

export async function loadActiveCatalog(): Promise<ActiveCatalog> {
  const [stored, bundled] = await Promise.all([
    browser.storage.local.get([STORAGE_KEYS.catalogOverride, STORAGE_KEYS.settings]),
    fetchBundled().catch((error: unknown) => {
      console.warn(error);
      return undefined;
    }),
  ]);
  const chosen = catalogInUse(
    stored[STORAGE_KEYS.catalogOverride],
    parseSettings(stored[STORAGE_KEYS.settings]).customServers,
    browser.runtime.getURL('src/options/index.html'),
    bundled,
  );
  if (!chosen.ok) return { apps: [], error: chosen.error, portalUrl: undefined };
  const controls = chosen.catalog.controls.http.map((control) => control.url);
  return { apps: chosen.catalog.apps, error: null, portalUrl: controls.find((url) => url.startsWith('http:')) ?? controls[0] };
}
