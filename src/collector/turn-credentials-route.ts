// GET /v1/turn-credentials: short-lived credentials for the call-test relay, minted per request and never stored.
import type { RelayConfig } from './config';
import type { CollectorApp, RouteContext } from './route-context';
import { mintTurnCredentials } from './turn-credentials';

/** Without a relay the route answers 503. */
export function registerTurnCredentialsRoute(app: CollectorApp, context: RouteContext, relay: RelayConfig | null): void {
  // The address only feeds the rate limiter's salted bucket.
  app.get('/v1/turn-credentials', context.limited, (c) => {
    c.header('Cache-Control', 'no-store');
    if (relay === null) {
      c.set('outcome', 'relay_unavailable');
      return c.json({ error: 'no call-test relay is configured on this collector' }, 503);
    }
    c.set('outcome', 'credentials');
    return c.json(mintTurnCredentials(relay, context.now().getTime()));
  });
}
