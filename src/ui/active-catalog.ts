// The catalog the background checks with: a stored override (newer from the collector, or a test's) if valid, else the bundled one.
import browser from 'webextension-polyfill';
import { parseCatalog, type App } from '../core/catalog';
import catalogData from '../core/catalog.json';
import { STORAGE_KEYS } from '../core/messages';

export interface ActiveCatalog {
  apps: readonly App[];
  /** Why no catalog could be read; the UI says so instead of showing an empty list silently. */
  error: string | null;
}

/** Same choice as the background makes, so the rows name the apps the check actually probes. */
export async function loadActiveCatalog(): Promise<ActiveCatalog> {
  try {
    const stored: unknown = (await browser.storage.local.get(STORAGE_KEYS.catalogOverride))[STORAGE_KEYS.catalogOverride];
    if (stored !== undefined) {
      const override = parseCatalog(stored);
      if (override.ok) return { apps: override.catalog.apps, error: null };
    }
  } catch (error) {
    console.warn('stored catalog unreadable, using the bundled one:', error);
  }
  const bundled = parseCatalog(catalogData);
  return bundled.ok ? { apps: bundled.catalog.apps, error: null } : { apps: [], error: bundled.error };
}
