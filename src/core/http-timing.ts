// Connection phases of one request from its Resource Timing entry: DNS, TCP, TLS, time to first byte, protocol.
import type { HttpProbeResult } from './report';
import { roundMs } from './stats';

type Timing = NonNullable<HttpProbeResult['timing']>;

/** The fields of a PerformanceResourceTiming entry that matter here (ms since the time origin, 0 when not measured). */
export interface ResourceTimingEntry {
  domainLookupStart: number;
  domainLookupEnd: number;
  connectStart: number;
  secureConnectionStart: number;
  connectEnd: number;
  requestStart: number;
  responseStart: number;
  nextHopProtocol: string;
}

const span = (from: number, to: number): number | undefined => (from > 0 && to >= from ? roundMs(to - from) : undefined);

/** Only the phases the browser measured: failed requests (all zeros in Chrome) give none. */
export function timingOf(entry: ResourceTimingEntry): Timing | undefined {
  const timing: Timing = {};
  const dns = span(entry.domainLookupStart, entry.domainLookupEnd);
  const tls = span(entry.secureConnectionStart, entry.connectEnd);
  // connectEnd includes TLS; connectMs is the TCP handshake alone, about one round trip.
  const connect = span(entry.connectStart, entry.secureConnectionStart > 0 ? entry.secureConnectionStart : entry.connectEnd);
  const ttfb = span(entry.requestStart, entry.responseStart);
  if (dns !== undefined) timing.dnsMs = dns;
  if (connect !== undefined && connect > 0) timing.connectMs = connect;
  if (tls !== undefined && tls > 0) timing.tlsMs = tls;
  if (ttfb !== undefined) timing.ttfbMs = ttfb;
  if (entry.nextHopProtocol) timing.protocol = entry.nextHopProtocol;
  return Object.keys(timing).length > 0 ? timing : undefined;
}

/** Whether a protocol (Resource Timing nextHopProtocol) is HTTP/3: "h3", or older drafts such as "h3-29". */
export function isHttp3(protocol: string | undefined): boolean {
  return /^h3/i.test(protocol ?? '');
}
