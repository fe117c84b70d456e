// The closed failure vocabulary every probe result uses, modelled on OONI df-007.
import * as v from 'valibot';

/**
 * Network failures (OONI df-007 names where OONI has one) plus the local
 * confounders a browser can see and OONI cannot: another extension or policy
 * blocking the request, a proxy, a catalog entry on a port the browser refuses.
 */
export const FAILURES = [
  'dns_nxdomain_error',
  'dns_server_misbehaving',
  'dns_lookup_error',
  'connection_refused',
  'connection_reset',
  'connection_aborted',
  'host_unreachable',
  'generic_timeout_error',
  'eof_error',
  'ssl_invalid_hostname',
  'ssl_unknown_authority',
  'ssl_invalid_certificate',
  'ssl_failed_handshake',
  'network_down',
  'blocked_locally',
  'proxy_failure',
  'unsafe_port',
  'interrupted',
  'unknown_failure',
] as const;

export const FailureSchema = v.picklist(FAILURES);
export type Failure = v.InferOutput<typeof FailureSchema>;

/**
 * Whether the browser named a raw error itself (a `net::` or `NS_` code, classify-http-error.ts) rather than passing
 * on a localized message (Firefox's NSS text for a TLS failure): only a named error can tell one TLS failure from
 * another (target-outcome.ts). Shared reports keep only this bit (anonymise.ts).
 */
export function isNamedByBrowser(rawError: string): boolean {
  return /^(net::|NS_)/.test(rawError);
}
