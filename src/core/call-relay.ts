// The relay a call test runs through: what the loopback needs of its short-lived credentials, and which URLs to try.
import * as v from 'valibot';
import type { Transport } from './ice-url';
import { parseIceUrl } from './ice-url';
import { TurnCredentialsSchema } from './turn-credentials';

/** What the loopback needs of the relay's short-lived credentials (the collector's `GET /v1/turn-credentials`). */
export const CallRelaySchema = v.pick(TurnCredentialsSchema, ['username', 'credential', 'uris']);
export type CallRelay = v.InferOutput<typeof CallRelaySchema>;

/**
 * The relay URLs to try, one per transport: UDP first (what calls use), then TLS, then plain TCP. TLS comes before
 * plain TCP because probing a server in plain TCP can earn it a penalty where TLS would have passed (issue 15 §5).
 */
export function relayAttempts(uris: readonly string[]): { transport: Transport; url: string }[] {
  const order: Transport[] = ['udp', 'tls', 'tcp'];
  const attempts: { transport: Transport; url: string }[] = [];
  for (const transport of order) {
    const url = uris.find((uri) => {
      const parsed = parseIceUrl(uri);
      return parsed !== null && parsed.scheme !== 'stun' && parsed.transport === transport;
    });
    if (url !== undefined) attempts.push({ transport, url });
  }
  return attempts;
}
