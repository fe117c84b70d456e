// NAT mapping inference from the srflx candidates one RTCPeerConnection gathered from several STUN servers.
import type { NatMapping } from './report';

/** A server-reflexive address: what a STUN server saw as our source. */
export interface Srflx {
  ip: string;
  port: number;
}

/*
 * Rules (quality-and-verdicts.md §6, browser-behaviour.md §6). They hold only for candidates from
 * ONE RTCPeerConnection: separate connections use separate sockets and fake "symmetric" on a cone
 * NAT [W365]. Chrome emits one srflx per distinct mapped address per socket, so with ≥ 2 servers
 * on different IPs (the catalog's controls are):
 *   one mapped ip:port              → endpoint-independent (RFC 4787 REQ-1)
 *   one ip, ≥ 2 ports               → address(-and-port)-dependent, "symmetric": a note, not a failure
 *   ≥ 2 ips                         → multiple egress paths (CGNAT pool, split tunnel): inconclusive
 *   none, or one from a lone server → unknown (one mapping proves nothing about dependence)
 * Candidates are grouped by mapped ip:port only, never by related port: under mDNS host names
 * the related address is 0.0.0.0:0 for every srflx ([SYMNAT]).
 */
export function inferNatMapping(srflx: readonly Srflx[], serversAnswered: number): NatMapping {
  const byFamily = new Map<4 | 6, Set<string>>();
  for (const { ip, port } of srflx) {
    const family = ip.includes(':') ? 6 : 4;
    const mappings = byFamily.get(family) ?? new Set<string>();
    mappings.add(`${ip.toLowerCase()}|${port}`);
    byFamily.set(family, mappings);
  }
  const verdicts = [...byFamily.values()].map((mappings) => mappingOf(mappings, serversAnswered));
  // Families are judged apart (an IPv4 and an IPv6 srflx are not two egress paths); the most
  // consequential finding wins: symmetric matters for calls, multiple egress hides the answer.
  for (const mapping of ['address-dependent', 'multiple-egress', 'endpoint-independent'] as const) {
    if (verdicts.includes(mapping)) return mapping;
  }
  return 'unknown';
}

function mappingOf(mappings: ReadonlySet<string>, serversAnswered: number): NatMapping {
  const ips = new Set([...mappings].map((mapping) => mapping.split('|')[0]));
  if (ips.size >= 2) return 'multiple-egress';
  if (mappings.size >= 2) return 'address-dependent';
  return serversAnswered >= 2 ? 'endpoint-independent' : 'unknown';
}
