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

/** A local UDP socket as its host candidate showed it, and the media section it serves. */
export interface HostSocket {
  ip: string;
  port: number;
  mid: string;
}

/**
 * The socket an icecandidateerror came from, by the local `address` and `port` the event carries. Chromium (156)
 * reports the asking socket's port and its address with the last part hidden (`127.0.0.x`); one port number may be
 * taken by an IPv4 and an IPv6 socket, or by two networks' sockets, at once, so the address picks among them. A
 * match that stays ambiguous across sections is undefined (never guessed).
 */
export function socketOf(sockets: readonly HostSocket[], address: string | null, port: number | null): HostSocket | undefined {
  if (port === null) return undefined;
  const samePort = sockets.filter((s) => s.port === port);
  const matching = address === null || address === '' ? samePort : samePort.filter((s) => sameAddress(s.ip, address));
  const candidates = matching.length > 0 ? matching : samePort;
  const first = candidates[0];
  return first !== undefined && candidates.every((s) => s.mid === first.mid && familyOf(s.ip) === familyOf(first.ip)) ? first : undefined;
}

function familyOf(ip: string): 'ipv4' | 'ipv6' {
  return ip.includes(':') ? 'ipv6' : 'ipv4';
}

/** Equal, or equal but for the last part the browser hid (`x`). */
function sameAddress(ip: string, reported: string): boolean {
  if (ip === reported) return true;
  const separator = reported.includes(':') ? ':' : '.';
  const cut = reported.lastIndexOf(separator);
  return cut > 0 && reported.slice(cut + 1) === 'x' && ip.startsWith(reported.slice(0, cut + 1));
}
