// GET /healthz (the process is serving) and GET /readyz (a report sent now would be stored), for the operator's probes.
import type { CollectorApp, RouteContext } from './route-context';

export function registerHealthRoutes(app: CollectorApp, context: RouteContext): void {
  const { store, geo } = context;
  /** Liveness: the process is serving. */
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  /** Readiness: a report sent now would be stored (the database answers, is writable, has room). */
  app.get('/readyz', async (c) => {
    const database = await store.readiness();
    const geoState = geo.state?.() ?? 'ready';
    const body = { status: database.ok ? 'ready' : 'unavailable', database: database.ok ? 'ok' : database.reason, geo: geoState };
    return c.json(body, database.ok ? 200 : 503);
  });
}
