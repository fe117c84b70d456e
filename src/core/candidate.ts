// Parses one ICE candidate line into the fields the prober needs; candidate strings never leave the prober.
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type CandidateProtocol = 'udp' | 'tcp';

export interface ParsedCandidate {
  type: CandidateType;
  protocol: CandidateProtocol;
  /** An IP address, or an mDNS `*.local` name for host candidates. */
  ip: string;
  port: number;
}

const TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];
const PROTOCOLS: readonly CandidateProtocol[] = ['udp', 'tcp'];

/**
 * RFC 8839 §5.1: `candidate:<foundation> <component> <transport> <priority> <address> <port> typ
 * <type> [raddr ...] [rport ...] [extensions]`, with or without the SDP `a=` prefix (Chrome's
 * `RTCIceCandidate.candidate` has none, SDP lines have it). Transport and type are
 * case-insensitive (Firefox writes `UDP`). Returns undefined for anything else, including the
 * empty end-of-candidates string.
 */
export function parseCandidate(line: string): ParsedCandidate | undefined {
  const body = line.trim().replace(/^a=/, '');
  if (!body.startsWith('candidate:')) return undefined;
  const fields = body.slice('candidate:'.length).split(/\s+/);
  const [, , transport, , address, portText, typKeyword, typeText] = fields;
  if (typKeyword !== 'typ' || address === undefined || address === '') return undefined;
  const protocol = PROTOCOLS.find((p) => p === transport?.toLowerCase());
  const type = TYPES.find((t) => t === typeText?.toLowerCase());
  if (protocol === undefined || type === undefined || portText === undefined || !/^\d{1,5}$/.test(portText)) {
    return undefined;
  }
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { type, protocol, ip: address, port };
}
