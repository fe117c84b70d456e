// Turns what one ICE probe saw into an outcome (temporary until src/core/classify-ice.ts lands).
import type { IceProbeResult } from '../core/report';

export interface IceSighting {
  url: string;
  deadlineMs: number;
  srflxMs?: number;
  relayMs?: number;
  completeMs?: number;
  error?: { code: number; text: string; ms: number };
}

export function classifyIce(id: string, s: IceSighting): IceProbeResult {
  const parsed = parseIceUrl(s.url);
  const base = { id, ...parsed };
  if (s.relayMs !== undefined) return { ...base, outcome: 'reachable', evidence: 'relay', ms: s.relayMs };
  if (s.srflxMs !== undefined) return { ...base, outcome: 'reachable', evidence: 'srflx', ms: s.srflxMs };
  if (s.error) {
    const { code, text, ms } = s.error;
    if (code >= 1 && code < 700) return { ...base, outcome: 'reachable', evidence: 'server-error', errorCode: code, ms };
    if (/timed out/i.test(text)) return { ...base, outcome: 'filtered', evidence: 'error-701', errorCode: code, failure: 'generic_timeout_error', ms };
    if (/lookup/i.test(text)) return { ...base, outcome: 'unreachable', evidence: 'error-701', errorCode: code, failure: 'dns_lookup_error', ms };
    return { ...base, outcome: 'unreachable', evidence: 'error-701', errorCode: code, failure: parsed.transport === 'tls' ? 'ssl_failed_handshake' : 'connection_refused', ms };
  }
  if (s.completeMs !== undefined) {
    // A STUN server whose answer equals our own address yields no srflx; without an error it did answer.
    return parsed.scheme === 'stun'
      ? { ...base, outcome: 'reachable', evidence: 'gathering-complete', ms: s.completeMs }
      : { ...base, outcome: 'unreachable', evidence: 'gathering-complete', ms: s.completeMs };
  }
  return { ...base, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: s.deadlineMs };
}

function parseIceUrl(url: string): Pick<IceProbeResult, 'scheme' | 'transport' | 'port'> {
  const match = /^(stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?/i.exec(url);
  const scheme = (match?.[1]?.toLowerCase() ?? 'stun') as 'stun' | 'turn' | 'turns';
  const transport = scheme === 'turns' ? 'tls' : match?.[4] === 'tcp' ? 'tcp' : 'udp';
  const port = Number(match?.[3] ?? (scheme === 'turns' ? 5349 : 3478));
  return { scheme, transport, port };
}
