import { describe, expect, it } from 'vitest';
import { classifyHttpError } from '../../src/core/classify-http-error';
import type { Failure } from '../../src/core/failure';

const notOurs = { abortedByUs: false };

describe('classifyHttpError', () => {
  it.each<[string, Failure]>([
    // browser-behaviour.md §8.2, Chrome column
    ['net::ERR_NAME_NOT_RESOLVED', 'dns_nxdomain_error'],
    ['net::ERR_NAME_RESOLUTION_FAILED', 'dns_server_misbehaving'],
    ['net::ERR_DNS_SERVER_FAILED', 'dns_server_misbehaving'],
    ['net::ERR_DNS_TIMED_OUT', 'generic_timeout_error'],
    ['net::ERR_CONNECTION_REFUSED', 'connection_refused'],
    ['net::ERR_CONNECTION_RESET', 'connection_reset'],
    ['net::ERR_CONNECTION_TIMED_OUT', 'generic_timeout_error'],
    ['net::ERR_TIMED_OUT', 'generic_timeout_error'],
    ['net::ERR_CONNECTION_CLOSED', 'eof_error'],
    ['net::ERR_EMPTY_RESPONSE', 'eof_error'],
    ['net::ERR_CONNECTION_ABORTED', 'connection_aborted'],
    ['net::ERR_ADDRESS_UNREACHABLE', 'host_unreachable'],
    ['net::ERR_INTERNET_DISCONNECTED', 'network_down'],
    ['net::ERR_CERT_COMMON_NAME_INVALID', 'ssl_invalid_hostname'],
    ['net::ERR_CERT_AUTHORITY_INVALID', 'ssl_unknown_authority'],
    ['net::ERR_CERT_KNOWN_INTERCEPTION_BLOCKED', 'ssl_unknown_authority'],
    ['net::ERR_CERT_DATE_INVALID', 'ssl_invalid_certificate'],
    ['net::ERR_SSL_PROTOCOL_ERROR', 'ssl_failed_handshake'],
    ['net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH', 'ssl_failed_handshake'],
    ['net::ERR_ECH_NOT_NEGOTIATED', 'ssl_failed_handshake'],
    ['net::ERR_NETWORK_ACCESS_DENIED', 'blocked_locally'],
    ['net::ERR_UNSAFE_PORT', 'unsafe_port'],
    ['net::ERR_BLOCKED_BY_CLIENT', 'blocked_locally'],
    ['net::ERR_BLOCKED_BY_ADMINISTRATOR', 'blocked_locally'],
    ['net::ERR_PROXY_CONNECTION_FAILED', 'proxy_failure'],
    ['net::ERR_TUNNEL_CONNECTION_FAILED', 'proxy_failure'],
    ['net::ERR_NETWORK_CHANGED', 'interrupted'],
    // Firefox column
    ['NS_ERROR_UNKNOWN_HOST', 'dns_nxdomain_error'],
    ['NS_ERROR_CONNECTION_REFUSED', 'connection_refused'],
    ['NS_ERROR_NET_RESET', 'connection_reset'],
    ['NS_ERROR_NET_TIMEOUT', 'generic_timeout_error'],
    ['NS_ERROR_NET_INTERRUPT', 'eof_error'],
    ['NS_ERROR_NET_EMPTY_RESPONSE', 'eof_error'],
    ['NS_ERROR_OFFLINE', 'network_down'],
    ['NS_ERROR_PORT_ACCESS_NOT_ALLOWED', 'unsafe_port'],
    ['NS_ERROR_PROXY_CONNECTION_REFUSED', 'proxy_failure'],
    ['NS_ERROR_UNKNOWN_PROXY_HOST', 'proxy_failure'],
    ['NS_ERROR_NET_TIMEOUT_EXTERNAL', 'generic_timeout_error'],
    ['NS_ERROR_NET_PARTIAL_TRANSFER', 'eof_error'],
    ['NS_ERROR_NET_INADEQUATE_SECURITY', 'ssl_failed_handshake'],
    ['NS_ERROR_BLOCKED_BY_POLICY', 'blocked_locally'],
    ['NS_ERROR_BLOCKED_URI', 'blocked_locally'],
    ['NS_ERROR_CONTENT_BLOCKED', 'blocked_locally'],
    ['NS_ERROR_HARMFUL_URI', 'blocked_locally'],
    ['NS_ERROR_MALWARE_URI', 'blocked_locally'],
    ['NS_ERROR_PHISHING_URI', 'blocked_locally'],
  ])('%s → %s', (error, failure) => {
    expect(classifyHttpError(error, notOurs)).toBe(failure);
  });

  it.each([['net::ERR_ABORTED'], ['NS_BINDING_ABORTED']])('%s is a timeout only when our deadline aborted it', (error) => {
    expect(classifyHttpError(error, { abortedByUs: true })).toBe('generic_timeout_error');
    expect(classifyHttpError(error, notOurs)).toBe('interrupted');
  });

  it.each<[string, Failure]>([
    ['net::ERR_CERT_REVOKED', 'ssl_invalid_certificate'],
    ['net::ERR_SSL_UNRECOGNIZED_NAME_ALERT', 'ssl_failed_handshake'],
    ['net::ERR_PROXY_AUTH_UNSUPPORTED', 'proxy_failure'],
    ['NS_ERROR_PROXY_BAD_GATEWAY', 'proxy_failure'],
  ])('unlisted members of a known family map to the family: %s → %s', (error, failure) => {
    expect(classifyHttpError(error, notOurs)).toBe(failure);
  });

  it.each([['net::ERR_HTTP2_PROTOCOL_ERROR'], ['net::ERR_SOMETHING_NEW'], ['net::SOMETHING'], ['NS_ERROR_FAILURE'], ['NS_ERROR_NET_ON_RESOLVED'], [''], ['   ']])(
    'unknown browser code %j → unknown_failure',
    (error) => {
      expect(classifyHttpError(error, notOurs)).toBe('unknown_failure');
    },
  );

  // What Firefox ESR 153 (en-US) put in webRequest's `error` against the e2e fixtures, per scenario.
  it.each<[string, string, Failure, boolean]>([
    ['nothing listening', 'NS_ERROR_CONNECTION_REFUSED', 'connection_refused', false],
    ['RST after the ClientHello', 'NS_ERROR_NET_RESET', 'connection_reset', false],
    ['hung server, our deadline', 'NS_BINDING_ABORTED', 'generic_timeout_error', true],
    ['self-signed certificate', 'The certificate is not trusted because it is self-signed.', 'ssl_failed_handshake', false],
    [
      'certificate for another name',
      'Unable to communicate securely with peer: requested domain name does not match the server’s certificate.',
      'ssl_failed_handshake',
      false,
    ],
    ['plain bytes on an https port', 'SSL received a record that exceeded the maximum permissible length.', 'ssl_failed_handshake', false],
  ])('Firefox, %s: %j → %s', (_scenario, error, failure, abortedByUs) => {
    expect(classifyHttpError(error, { abortedByUs })).toBe(failure);
  });

  it.each([
    ['The certificate is not trusted because it is self-signed.'],
    ['SSL received a record that exceeded the maximum permissible length.'],
    ["Le certificat n'est pas sûr car il est auto-signé."],
    ['الشهادة غير موثوقة'],
  ])('Firefox localized NSS text %j is a TLS failure, not parsed', (error) => {
    expect(classifyHttpError(error, notOurs)).toBe('ssl_failed_handshake');
    expect(classifyHttpError(error, { abortedByUs: true })).toBe('ssl_failed_handshake');
  });

  it('tolerates surrounding whitespace', () => {
    expect(classifyHttpError(' net::ERR_CONNECTION_REFUSED\n', notOurs)).toBe('connection_refused');
  });
});
