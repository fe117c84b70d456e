// Which catalog a check uses: a stored override if it validates, else the bundled one; plus the user's own servers.
import { parseCatalog, withCustomServers, type Catalog, type CatalogResult } from './catalog';
import type { CustomServer } from './settings';

/**
 * The one rule the background (to probe) and the UI (to name the rows) share. `stored` is what storage holds under
 * STORAGE_KEYS.catalogOverride (a verified collector catalog, or one a test put there); an invalid one is ignored.
 * `bundled` is the catalog.json shipped with the extension: the background imports it, while the popup fetches it
 * as a file, so the data does not count against the popup's JavaScript budget.
 */
export function catalogInUse(
  stored: unknown,
  customServers: readonly CustomServer[],
  customSource: string,
  bundled: unknown,
): CatalogResult & { ignored?: string } {
  let ignored: string | undefined;
  let base: Catalog | undefined;
  if (stored !== undefined) {
    const override = parseCatalog(stored);
    if (override.ok) base = override.catalog;
    else ignored = override.error;
  }
  if (base === undefined) {
    const shipped = parseCatalog(bundled);
    if (!shipped.ok) return { ok: false, error: `the bundled catalog is broken: ${shipped.error}` };
    base = shipped.catalog;
  }
  return { ok: true, catalog: withCustomServers(base, customServers, customSource), ...(ignored ? { ignored } : {}) };
}
