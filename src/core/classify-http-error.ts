// Maps the browser's webRequest `details.error` string to the failure vocabulary (browser-behaviour.md §8.2).
import type { Failure } from './failure';

/**
 * Chrome `net::ERR_<NAME>` codes (net/base/net_error_list.h) and Firefox `NS_*` names
 * (xpcom/base/ErrorList.py). ABORTED / NS_BINDING_ABORTED are absent on purpose: their
 * meaning depends on who aborted (see `classifyHttpError`).
 */
const CHROME: Readonly<Record<string, Failure>> = {
  NAME_NOT_RESOLVED: 'dns_nxdomain_error',
  NAME_RESOLUTION_FAILED: 'dns_server_misbehaving',
  DNS_SERVER_FAILED: 'dns_server_misbehaving',
  DNS_TIMED_OUT: 'generic_timeout_error',
  CONNECTION_REFUSED: 'connection_refused',
  CONNECTION_RESET: 'connection_reset',
  CONNECTION_TIMED_OUT: 'generic_timeout_error',
  TIMED_OUT: 'generic_timeout_error',
  CONNECTION_CLOSED: 'eof_error',
  EMPTY_RESPONSE: 'eof_error',
  CONNECTION_ABORTED: 'connection_aborted',
  ADDRESS_UNREACHABLE: 'host_unreachable',
  INTERNET_DISCONNECTED: 'network_down',
  CERT_COMMON_NAME_INVALID: 'ssl_invalid_hostname',
  CERT_AUTHORITY_INVALID: 'ssl_unknown_authority',
  CERT_KNOWN_INTERCEPTION_BLOCKED: 'ssl_unknown_authority',
  CERT_DATE_INVALID: 'ssl_invalid_certificate',
  SSL_PROTOCOL_ERROR: 'ssl_failed_handshake',
  SSL_VERSION_OR_CIPHER_MISMATCH: 'ssl_failed_handshake',
  ECH_NOT_NEGOTIATED: 'ssl_failed_handshake',
  // Chrome: "most likely caused by a firewall" on this machine, not on the path.
  NETWORK_ACCESS_DENIED: 'blocked_locally',
  UNSAFE_PORT: 'unsafe_port',
  BLOCKED_BY_CLIENT: 'blocked_locally',
  BLOCKED_BY_ADMINISTRATOR: 'blocked_locally',
  PROXY_CONNECTION_FAILED: 'proxy_failure',
  TUNNEL_CONNECTION_FAILED: 'proxy_failure',
  NETWORK_CHANGED: 'interrupted',
};

const FIREFOX: Readonly<Record<string, Failure>> = {
  NS_ERROR_UNKNOWN_HOST: 'dns_nxdomain_error',
  NS_ERROR_CONNECTION_REFUSED: 'connection_refused',
  NS_ERROR_NET_RESET: 'connection_reset',
  NS_ERROR_NET_TIMEOUT: 'generic_timeout_error',
  NS_ERROR_NET_INTERRUPT: 'eof_error',
  NS_ERROR_NET_EMPTY_RESPONSE: 'eof_error',
  NS_ERROR_OFFLINE: 'network_down',
  NS_ERROR_PORT_ACCESS_NOT_ALLOWED: 'unsafe_port',
  NS_ERROR_PROXY_CONNECTION_REFUSED: 'proxy_failure',
  NS_ERROR_UNKNOWN_PROXY_HOST: 'proxy_failure',
  // Firefox's own connect timeout (network.http.connection-timeout), not our deadline.
  NS_ERROR_NET_TIMEOUT_EXTERNAL: 'generic_timeout_error',
  // The response stopped before its announced length: the connection was cut mid-transfer.
  NS_ERROR_NET_PARTIAL_TRANSFER: 'eof_error',
  // HTTP/2 refused over a TLS setup it deems too weak: a TLS-level failure with a name.
  NS_ERROR_NET_INADEQUATE_SECURITY: 'ssl_failed_handshake',
  // Enterprise policy or Firefox's URL classifier (Safe Browsing lists) stopped it on this device.
  NS_ERROR_BLOCKED_BY_POLICY: 'blocked_locally',
  NS_ERROR_BLOCKED_URI: 'blocked_locally',
  NS_ERROR_CONTENT_BLOCKED: 'blocked_locally',
  NS_ERROR_HARMFUL_URI: 'blocked_locally',
  NS_ERROR_MALWARE_URI: 'blocked_locally',
  NS_ERROR_PHISHING_URI: 'blocked_locally',
};

const CHROME_PREFIX = 'net::ERR_';
const FIREFOX_PREFIX = 'NS_';

export interface HttpErrorContext {
  /** True when the request was aborted by our own deadline (AbortSignal), not by the browser or the user. */
  abortedByUs: boolean;
}

/**
 * The error strings are internal and "may vary between browsers" [MDN-WR], so the mapping is
 * tolerant: whole families (`net::ERR_CERT_*`, `net::ERR_SSL_*`, `NS_ERROR_PROXY_*`) fall back to
 * their family's failure, and any other `net::`/`NS_` string is `unknown_failure` (the caller
 * keeps the raw text in `rawError`).
 */
export function classifyHttpError(error: string, context: HttpErrorContext): Failure {
  const text = error.trim();
  if (text === '') return 'unknown_failure';

  if (text === 'net::ERR_ABORTED' || text === 'NS_BINDING_ABORTED') {
    // Our own AbortSignal.timeout surfaces as a plain abort; only we know it was a deadline.
    return context.abortedByUs ? 'generic_timeout_error' : 'interrupted';
  }

  if (text.startsWith(CHROME_PREFIX)) {
    const name = text.slice(CHROME_PREFIX.length);
    const known = CHROME[name];
    if (known) return known;
    if (name.startsWith('CERT_')) return 'ssl_invalid_certificate';
    if (name.startsWith('SSL_')) return 'ssl_failed_handshake';
    if (name.startsWith('PROXY_')) return 'proxy_failure';
    return 'unknown_failure';
  }
  if (text.startsWith('net::')) return 'unknown_failure';

  if (text.startsWith(FIREFOX_PREFIX)) {
    const known = FIREFOX[text];
    if (known) return known;
    if (text.startsWith('NS_ERROR_PROXY_')) return 'proxy_failure';
    return 'unknown_failure';
  }

  // Firefox puts the localized NSS message in `error` when the channel failed in TLS
  // [FF-CHANNELWRAPPER]: an unknown CA, a certificate for another name and non-TLS bytes all arrive
  // this way (observed in Firefox ESR 153). The text is translated, so it is never parsed: it only
  // says "TLS failed", which is OONI's generic ssl_failed_handshake. A private-CA host (expectFailure
  // ssl_unknown_authority) therefore shows as ssl_failed_handshake in Firefox; target-outcome.ts
  // accepts that.
  return 'ssl_failed_handshake';
}
