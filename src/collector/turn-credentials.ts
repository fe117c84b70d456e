// Mints TURN REST API credentials (coturn `use-auth-secret`) for the call-test relay.
import { createHmac, randomBytes } from 'node:crypto';
import type { TurnCredentials } from '../core/turn-credentials';
import type { RelayConfig } from './config';

/** An IPv6 address goes in brackets inside a URL. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The relay's URLs: UDP, TCP, TLS. The order to try them in is the call test's choice (turns: before plain TCP on one server). */
export function relayUris(relay: RelayConfig): string[] {
  const host = urlHost(relay.host);
  return [
    `turn:${host}:${relay.port}?transport=udp`,
    `turn:${host}:${relay.port}?transport=tcp`,
    ...(relay.tlsPort === null ? [] : [`turns:${host}:${relay.tlsPort}?transport=tcp`]),
  ];
}

/** coturn's check: the password is base64(HMAC-SHA1(static-auth-secret, username)). */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Credentials valid for `relay.ttlSeconds` from `nowMs`. The username is "<unix expiry>:<tag>"
 * with a fresh random tag: it identifies nobody and lets the relay's own log tell sessions apart.
 */
export function mintTurnCredentials(relay: RelayConfig, nowMs: number, tag: string = randomBytes(8).toString('hex')): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + relay.ttlSeconds}:${tag}`;
  return {
    username,
    credential: turnPassword(relay.secret, username),
    ttl: relay.ttlSeconds,
    uris: relayUris(relay),
    reflector: { host: urlHost(relay.host), port: relay.port, ports: [...relay.reflectorPorts] },
  };
}
