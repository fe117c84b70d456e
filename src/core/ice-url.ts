// Parses stun:/turn:/turns: URLs (RFC 7064, RFC 7065) into scheme, host, port and transport.

/** How a call's media travels to a server: the transports an ICE URL names (the catalog's schema takes them from here). */
export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export type IceScheme = 'stun' | 'turn' | 'turns';

export interface IceUrl {
  scheme: IceScheme;
  /** Host name or address; IPv6 without brackets. */
  host: string;
  port: number;
  transport: Transport;
}

const DEFAULT_PORT: Readonly<Record<IceScheme, number>> = { stun: 3478, turn: 3478, turns: 5349 };

// scheme ":" host [":" port] ["?transport=" udp|tcp]; host is a name, IPv4, or [IPv6].
const ICE_URL = /^(stun|turns?):(\[[0-9a-fA-F:.]+\]|[^\s:?[\]/@]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

/** Returns null for anything a browser would reject, so a bad catalog entry is reported, not guessed at. */
export function parseIceUrl(url: string): IceUrl | null {
  const match = ICE_URL.exec(url.trim());
  if (!match) return null;
  const [, rawScheme = '', rawHost = '', rawPort, rawTransport] = match;
  const scheme = toScheme(rawScheme.toLowerCase());
  if (!scheme) return null;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (host === '') return null;
  const port = rawPort === undefined ? DEFAULT_PORT[scheme] : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { scheme, host: host.toLowerCase(), port, transport: transportOf(scheme, rawTransport?.toLowerCase()) };
}

function toScheme(value: string): IceScheme | null {
  switch (value) {
    case 'stun':
    case 'turn':
    case 'turns':
      return value;
    default:
      return null;
  }
}

/** turns: is TLS over TCP in both browsers whatever the transport parameter says; the others default to UDP. */
function transportOf(scheme: IceScheme, transport: string | undefined): Transport {
  if (scheme === 'turns') return 'tls';
  return transport === 'tcp' ? 'tcp' : 'udp';
}

/**
 * Chrome's TurnPort::AllowedTurnPort: a TURN server port must be 53, 80, 443 or >= 1024, else
 * Chrome refuses locally with errorCode 500 (browser-behaviour.md §7). STUN has no low-port rule, but both
 * browsers refuse the Fetch "bad ports" for STUN too (reflection.ts isStunPortAllowed).
 */
export function isTurnPortAllowed(port: number): boolean {
  return port === 53 || port === 80 || port === 443 || port >= 1024;
}
