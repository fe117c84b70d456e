// DNS cross-check: bogon detection, DoH JSON parsing and the system-vs-DoH verdict (browser-behaviour.md §10).
import * as v from 'valibot';
import type { Failure } from './failure';
import type { DnsCheck, HttpProbeResult } from './report';

/** An address as a 128-bit number; IPv4 is kept in its own family so prefixes stay readable. */
interface Address {
  family: 4 | 6;
  value: bigint;
}

function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255 || (part.length > 1 && part.startsWith('0'))) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIPv6(text: string): bigint | null {
  let rest = text.toLowerCase();
  const zone = rest.indexOf('%');
  if (zone >= 0) rest = rest.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  let tail: number[] = [];
  const lastColon = rest.lastIndexOf(':');
  const last = rest.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 === null) return null;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    // Drop the dotted quad but keep a '::' that ends right before it.
    rest = rest.slice(0, lastColon + 1);
    if (!rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string | undefined): number[] | null => {
    if (part === undefined || part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = toGroups(halves[0]);
  const after = toGroups(halves[1]);
  if (head === null || after === null) return null;
  const explicit = head.length + after.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...after, ...tail];
  } else {
    groups = [...head, ...tail];
  }
  if (groups.length !== 8) return null;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

function parseAddress(text: string): Address | null {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (trimmed.includes(':')) {
    const value = parseIPv6(trimmed);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIPv4(trimmed);
  return value === null ? null : { family: 4, value };
}

/** True for an IPv4 or IPv6 literal (hosts given as addresses involve no DNS). */
export function isIpAddress(text: string): boolean {
  return parseAddress(text) !== null;
}

interface Cidr {
  family: 4 | 6;
  network: bigint;
  mask: bigint;
}

function parseCidr(text: string): Cidr {
  const [addressText = '', prefixText] = text.split('/');
  const address = parseAddress(addressText);
  if (address === null) throw new RangeError(`not a CIDR block: ${text}`);
  const bits = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new RangeError(`not a CIDR block: ${text}`);
  const all = (1n << BigInt(bits)) - 1n;
  const mask = (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  return { family: address.family, network: address.value & mask, mask };
}

function inCidr(address: Address, cidr: Cidr): boolean {
  return address.family === cidr.family && (address.value & cidr.mask) === cidr.network;
}

/**
 * Addresses no public name should resolve to: IANA special-purpose blocks (RFC 6890) and the
 * usual bogon lists. NAT64 (64:ff9b::/96) and 6to4 are left out on purpose: DNS64 on mobile
 * networks legitimately answers with them.
 */
export const BOGONS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];
const BOGON_BLOCKS = BOGONS.map(parseCidr);
const MAPPED_V4 = parseCidr('::ffff:0:0/96');

export interface BogonOptions {
  /**
   * Blocks to treat as public even though they are bogons. The test lab puts its servers in
   * 198.18.0.0/15, and loopback fixtures use 127.0.0.0/8; they must not look like tampering there.
   */
  allow?: readonly string[];
}

/** Whether an address is private, reserved or special-purpose. Anything that is not an address is not a bogon. */
export function isBogon(ip: string, options: BogonOptions = {}): boolean {
  let address = parseAddress(ip);
  if (address === null) return false;
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d: judge the IPv4 address inside.
  if (inCidr(address, MAPPED_V4)) address = { family: 4, value: address.value & 0xffffffffn };
  const checked = address;
  if ((options.allow ?? []).map(parseCidr).some((block) => inCidr(checked, block))) return false;
  return BOGON_BLOCKS.some((block) => inCidr(checked, block));
}

// DoH JSON (dns.google/resolve, cloudflare-dns.com/dns-query with accept: application/dns-json):
// {Status, Answer: [{name, type, TTL, data}]}; Status is the DNS rcode [GDNS-JSON], [CF-DNS-JSON].
const DohJsonSchema = v.object({
  Status: v.pipe(v.number(), v.integer(), v.minValue(0)),
  Answer: v.optional(v.array(v.object({ type: v.number(), data: v.string() }))),
});

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;
const TYPE_A = 1;
const TYPE_AAAA = 28;

/** What the DoH resolver said about a name. */
export type DohAnswer =
  | { kind: 'answers'; addresses: string[] }
  | { kind: 'nxdomain' }
  | { kind: 'failed'; reason: string };

/** Parses a DoH JSON body (untrusted). CNAME records are skipped; only A/AAAA data count as answers. */
export function parseDohJson(data: unknown): DohAnswer {
  const parsed = v.safeParse(DohJsonSchema, data);
  if (!parsed.success) return { kind: 'failed', reason: 'malformed DoH response' };
  const { Status, Answer } = parsed.output;
  if (Status === RCODE_NXDOMAIN) return { kind: 'nxdomain' };
  if (Status !== RCODE_NOERROR) return { kind: 'failed', reason: `DNS rcode ${Status}` };
  const addresses = (Answer ?? [])
    .filter((record) => (record.type === TYPE_A || record.type === TYPE_AAAA) && isIpAddress(record.data))
    .map((record) => record.data);
  // NOERROR without an address (NODATA) cannot be compared with what the browser connected to.
  if (addresses.length === 0) return { kind: 'failed', reason: 'no address records' };
  return { kind: 'answers', addresses };
}

/** What the browser's own resolution produced. */
export type SystemAnswer = { kind: 'name-error' } | { kind: 'addresses'; addresses: string[] } | { kind: 'unknown' };

const NAME_ERRORS: ReadonlySet<Failure> = new Set<Failure>(['dns_nxdomain_error', 'dns_server_misbehaving', 'dns_lookup_error']);

/** Whether a failure is the browser's resolver saying no. */
export function isNameError(failure: Failure | undefined): boolean {
  return failure !== undefined && NAME_ERRORS.has(failure);
}

/** The system side of the comparison from an HTTP probe: its name error or the ip it connected to. */
export function systemAnswerFromHttp(result: HttpProbeResult): SystemAnswer {
  if (isNameError(result.failure)) return { kind: 'name-error' };
  if (result.ip !== undefined && isIpAddress(result.ip)) return { kind: 'addresses', addresses: [result.ip] };
  return { kind: 'unknown' };
}

export type DnsVerdictParts = Pick<DnsCheck, 'system' | 'doh' | 'verdict'>;

/**
 * CDN answers legitimately differ between resolvers (geo, ECS), so different public addresses are
 * consistent; the strong evidence is a name error or a bogon where DoH gives a public answer.
 * When DoH itself fails (possibly blocked — a result too) nothing can be concluded.
 */
export function classifyDns(input: { system: SystemAnswer; doh: DohAnswer }, options: BogonOptions = {}): DnsVerdictParts {
  const { doh } = input;
  const system = systemKind(input.system, options);
  const dohKind = doh.kind === 'answers' ? 'answers' : doh.kind;
  const parts = (verdict: DnsCheck['verdict']): DnsVerdictParts => ({ system, doh: dohKind, verdict });

  if (doh.kind === 'failed') return parts('inconclusive');
  switch (system) {
    case 'nxdomain':
      return parts(doh.kind === 'answers' ? 'dns_tampering' : 'nxdomain');
    case 'bogon':
      if (doh.kind === 'nxdomain') return parts('inconclusive');
      return parts(doh.addresses.some((address) => !isBogon(address, options)) ? 'dns_tampering' : 'consistent');
    case 'public':
      return parts(doh.kind === 'answers' ? 'consistent' : 'inconclusive');
    case 'unknown':
      return parts('inconclusive');
    default: {
      const unreachable: never = system;
      return unreachable;
    }
  }
}

function systemKind(system: SystemAnswer, options: BogonOptions): DnsCheck['system'] {
  switch (system.kind) {
    case 'name-error':
      return 'nxdomain';
    case 'addresses': {
      const addresses = system.addresses.filter(isIpAddress);
      if (addresses.length === 0) return 'unknown';
      // One public address among several means the browser could have reached the real host.
      return addresses.every((address) => isBogon(address, options)) ? 'bogon' : 'public';
    }
    case 'unknown':
      return 'unknown';
    default: {
      const unreachable: never = system;
      return unreachable;
    }
  }
}
