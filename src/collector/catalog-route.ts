// GET /v1/catalog: the served catalog, signed once at start so every answer carries identical bytes.
import type { Catalog } from '../core/catalog';
import type { SignedCatalog } from '../core/verify-catalog';
import { signCatalog } from './catalog-signer';
import type { CatalogSigner } from './catalog-signer';
import type { CollectorApp } from './route-context';

/** Without a catalog or a signer the route answers 503. */
export function registerCatalogRoute(app: CollectorApp, catalog: Catalog | undefined, signer: CatalogSigner | undefined): void {
  // Signed once: the payload string is fixed for the life of the process, so every response carries identical bytes.
  const signedCatalog: SignedCatalog | undefined = catalog !== undefined && signer !== undefined ? signCatalog(catalog, signer) : undefined;
  app.get('/v1/catalog', (c) => {
    if (signedCatalog === undefined) {
      c.set('outcome', 'catalog_unavailable');
      return c.json({ error: 'no signed catalog is configured on this collector' }, 503);
    }
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(signedCatalog);
  });
}
