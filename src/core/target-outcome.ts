// Reads one probe result (HTTP or ICE) as evidence about its target: answered, failed and why, or no evidence.
import type { HttpTarget } from './catalog';
import { isNamedByBrowser, type Failure } from './failure';
import type { Reason } from './reasons';
import type { DnsCheck, HttpProbeResult, IceProbeResult } from './report';
import { isUnconfirmedSilence } from './silence';

/**
 * - ok: the host answered (any HTTP status, the expected failure, a STUN/TURN response).
 * - failed: the network stopped it; `reason` says how.
 * - local: stopped on this device (another extension, a policy, a proxy): says nothing about the network.
 * - void: no evidence either way (a port the browser refuses, a network change mid-probe, silence that a
 *   second pass did not confirm: silence.ts).
 * - gone: the name does not exist for DoH either: a stale catalog entry, not blocking.
 */
export type TargetOutcome =
  | { kind: 'ok' }
  | { kind: 'failed'; reason: FailureReason }
  | { kind: 'local' }
  | { kind: 'void' }
  | { kind: 'gone' };

export type FailureReason = Extract<
  Reason,
  'DNS_TAMPERED' | 'DNS_NXDOMAIN' | 'TLS_INTERFERENCE' | 'CONNECTION_RESET' | 'SIGNALLING_UNREACHABLE'
>;

type FailureClass = 'local' | 'void' | 'dns' | FailureReason;

function failureClass(failure: Failure | undefined): FailureClass {
  if (failure === undefined) return 'SIGNALLING_UNREACHABLE';
  switch (failure) {
    case 'blocked_locally':
    case 'proxy_failure':
      return 'local';
    // unsafe_port is a catalog bug, interrupted a network change; network_down on one probe while
    // others answered is the device's own link flapping (all-controls-down is the OFFLINE gate).
    case 'unsafe_port':
    case 'interrupted':
    case 'network_down':
      return 'void';
    case 'dns_nxdomain_error':
    case 'dns_server_misbehaving':
    case 'dns_lookup_error':
      return 'dns';
    case 'ssl_invalid_hostname':
    case 'ssl_unknown_authority':
    case 'ssl_invalid_certificate':
    case 'ssl_failed_handshake':
      return 'TLS_INTERFERENCE';
    // OONI counts these as http-failure after connect; all mean something cut a set-up connection.
    case 'connection_reset':
    case 'connection_aborted':
    case 'eof_error':
      return 'CONNECTION_RESET';
    case 'connection_refused':
    case 'host_unreachable':
    case 'generic_timeout_error':
    case 'unknown_failure':
      return 'SIGNALLING_UNREACHABLE';
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

function fromFailure(failure: Failure | undefined, dns: DnsCheck | undefined): TargetOutcome {
  const cls = failureClass(failure);
  if (cls === 'local' || cls === 'void') return { kind: cls };
  // A tampered answer explains whatever failed next (a block page's certificate, a reset, a timeout).
  if (dns?.verdict === 'dns_tampering') return { kind: 'failed', reason: 'DNS_TAMPERED' };
  if (cls === 'dns') return dns?.verdict === 'nxdomain' ? { kind: 'gone' } : { kind: 'failed', reason: 'DNS_NXDOMAIN' };
  return { kind: 'failed', reason: cls };
}

export function httpOutcome(target: HttpTarget, result: HttpProbeResult, dns: DnsCheck | undefined): TargetOutcome {
  if (result.outcome === 'reachable') {
    // Over plain HTTP a block page at a tampered address "answers" too; over HTTPS a valid
    // certificate proves the real host answered whatever DNS said (CDN answers differ by resolver).
    if (dns?.verdict === 'dns_tampering' && target.url.startsWith('http:')) {
      return { kind: 'failed', reason: 'DNS_TAMPERED' };
    }
    return { kind: 'ok' };
  }
  if (isExpectedFailure(target, result)) return { kind: 'ok' };
  if (isUnconfirmedSilence(result)) return { kind: 'void' };
  return fromFailure(result.failure, dns);
}

/**
 * Firefox reports a TLS failure as a localized NSS message, which can only be classified as the
 * generic ssl_failed_handshake (classify-http-error.ts). A target expecting a TLS failure
 * (Signal's private CA) therefore also accepts ssl_failed_handshake when the browser did not name
 * the error itself (a raw error that is not a net::/NS_ code). The cost: in Firefox, interference
 * on such a host cannot be told from its private CA, just as a TLS-intercepting middlebox cannot
 * in any browser (call-apps.md §1). A shared report keeps only whether the browser named the error
 * (anonymise.ts), which is all this asks, so the collector judges alike. The popup's evidence rows ask
 * this too, so a row never contradicts its verdict.
 */
export function isExpectedFailure(
  target: Pick<HttpTarget, 'expectFailure'>,
  result: Pick<HttpProbeResult, 'failure' | 'rawError'>,
): boolean {
  const expected = target.expectFailure;
  if (expected === undefined || result.failure === undefined) return false;
  if (result.failure === expected) return true;
  const unnamedTls = result.rawError !== undefined && !isNamedByBrowser(result.rawError);
  return expected.startsWith('ssl_') && result.failure === 'ssl_failed_handshake' && unnamedTls;
}

export function iceOutcome(result: IceProbeResult, dns: DnsCheck | undefined): TargetOutcome {
  if (result.outcome === 'reachable') return { kind: 'ok' };
  // Gathering that completes with neither candidate nor error is no evidence. For stun: it is what a
  // host without NAT sees (its srflx equals the host address and is dropped, browser-behaviour.md §6):
  // the server may well have answered. For TURN the browser never tried the server: Firefox ESR 153
  // skips `turns:` to an IP address, and reports a real TLS or connect failure with a 701 instead.
  if (result.evidence === 'gathering-complete' || isUnconfirmedSilence(result)) return { kind: 'void' };
  return fromFailure(result.failure, dns);
}

/**
 * An unverified server's outcome (catalog `unverified`): its answer is evidence, and so is a block on this device
 * (local); anything else is none. Silence, even in both passes, a 701 or a name error may mean the server moved or
 * never spoke this protocol, which nobody has checked, so it must not read as the network blocking the app.
 */
export function unverifiedOutcome(outcome: TargetOutcome): TargetOutcome {
  return outcome.kind === 'ok' || outcome.kind === 'local' ? outcome : { kind: 'void' };
}
