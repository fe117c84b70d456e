// Country (from the ip-location-db mmdb) and ASN (from the ip-location-db CSV) of a request address, looked up in memory.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import maxmind from 'maxmind';

export interface GeoResult {
  /** ISO 3166-1 alpha-2, upper case. */
  cc: string;
  asn: number;
}

export type GeoState = 'loading' | 'ready' | 'failed';

/** Injectable so tests can give loopback addresses a country and network. */
export interface Geo {
  /** null when either the country or the network is unknown (private, loopback, unrouted, garbage, databases not loaded). */
  lookup(address: string): Promise<GeoResult | null>;
  /** For /readyz; absent means always ready. */
  state?(): GeoState;
  /** The registered name of a network (the results page shows it beside the number); undefined when unknown or not loaded. */
  asnName?(asn: number): string | undefined;
  /** Resolves once the data has loaded or failed to (never rejects): asnName answers for good from then on. Absent means at once. */
  settled?(): Promise<void>;
}

/** A fixed table, for tests and the benchmark: loopback has no real country. */
export function createStaticGeo(table: Readonly<Record<string, GeoResult>>): Geo {
  return { lookup: (address) => Promise.resolve(table[normaliseAddress(address) ?? ''] ?? null) };
}

/** Strips an IPv6 zone and unwraps IPv4-mapped IPv6 (what a dual-stack socket reports for IPv4 clients). */
export function normaliseAddress(address: string): string | null {
  const trimmed = address.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(trimmed);
  const candidate = mapped?.[1] ?? trimmed;
  return isIP(candidate) === 0 ? null : candidate.toLowerCase();
}

export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const dotted = /(\d{1,3}(\.\d{1,3}){3})$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const n = ipv4ToNumber(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, group) => (acc << 16n) | BigInt(`0x${group}`), 0n);
}

/** Sorted, non-overlapping ranges searched by binary search; the arrays are typed to keep 400k IPv4 rows small. */
interface Ranges<T> {
  starts: ArrayLike<T>;
  ends: ArrayLike<T>;
  asns: Uint32Array;
}

function search<T extends number | bigint>(ranges: Ranges<T>, value: T): number | null {
  let lo = 0;
  let hi = ranges.asns.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const start = ranges.starts[mid];
    const end = ranges.ends[mid];
    if (start === undefined || end === undefined) return null;
    if (value < start) hi = mid - 1;
    else if (value > end) lo = mid + 1;
    else return ranges.asns[mid] ?? null;
  }
  return null;
}

interface Row<T> {
  start: T;
  end: T;
  asn: number;
}

/** The CSV's name field: plain, or quoted with doubled quotes inside. */
function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2 ? trimmed.slice(1, -1).replaceAll('""', '"') : trimmed;
}

function parseRows<T>(csv: string, parse: (s: string) => T, names: Map<number, string>): Row<T>[] {
  const rows: Row<T>[] = [];
  for (const line of csv.split('\n')) {
    // start,end,asn,name — the name may hold quoted commas, so only the first three fields are split off.
    const first = line.indexOf(',');
    const second = line.indexOf(',', first + 1);
    const third = line.indexOf(',', second + 1);
    if (first < 0 || second < 0) continue;
    const asn = Number(line.slice(second + 1, third < 0 ? undefined : third));
    if (!Number.isInteger(asn) || asn <= 0) continue;
    if (third >= 0 && !names.has(asn)) names.set(asn, unquote(line.slice(third + 1)));
    rows.push({ start: parse(line.slice(0, first)), end: parse(line.slice(first + 1, second)), asn });
  }
  return rows;
}

async function loadIpv4(path: string, names: Map<number, string>): Promise<Ranges<number>> {
  const rows = parseRows(await readFile(path, 'utf8'), Number, names);
  rows.sort((a, b) => a.start - b.start);
  return {
    starts: Uint32Array.from(rows, (r) => r.start),
    ends: Uint32Array.from(rows, (r) => r.end),
    asns: Uint32Array.from(rows, (r) => r.asn),
  };
}

async function loadIpv6(path: string, names: Map<number, string>): Promise<Ranges<bigint>> {
  const rows = parseRows(await readFile(path, 'utf8'), BigInt, names);
  rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return { starts: rows.map((r) => r.start), ends: rows.map((r) => r.end), asns: Uint32Array.from(rows, (r) => r.asn) };
}

/** The ip-location-db mmdb holds `{country_code}` records, a shape the maxmind typings do not describe. */
function countryCodeOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || !('country_code' in record)) return undefined;
  return typeof record.country_code === 'string' ? record.country_code.toUpperCase() : undefined;
}

export interface GeoFiles {
  countryMmdb: string;
  asnIpv4Csv: string;
  asnIpv6Csv: string;
}

export function defaultGeoFiles(): GeoFiles {
  const require = createRequire(import.meta.url);
  return {
    countryMmdb: require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'),
    asnIpv4Csv: require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
    asnIpv6Csv: require.resolve('@ip-location-db/asn/asn-ipv6-num.csv'),
  };
}

/**
 * Starts loading the databases at once and answers lookups when they are ready, so the server
 * can listen immediately; requests that arrive during the load (about a second) wait for it.
 * If they fail to load, every address is unknown: reports are still stored, as ZZ/AS0.
 */
export function createIpLocationGeo(files: GeoFiles = defaultGeoFiles()): Geo & { ready: Promise<void>; asnName(asn: number): string | undefined } {
  let state: GeoState = 'loading';
  const names = new Map<number, string>();
  const loaded = Promise.all([
    maxmind.open(files.countryMmdb),
    loadIpv4(files.asnIpv4Csv, names),
    loadIpv6(files.asnIpv6Csv, names),
  ]);
  const settled = loaded.then(
    (tables) => {
      state = 'ready';
      return tables;
    },
    () => {
      state = 'failed';
      return null;
    },
  );
  return {
    ready: loaded.then(() => undefined),
    state: () => state,
    asnName: (asn) => names.get(asn),
    settled: () => settled.then(() => undefined),
    async lookup(address) {
      const tables = await settled;
      if (tables === null) return null;
      const [countries, ipv4, ipv6] = tables;
      const ip = normaliseAddress(address);
      if (ip === null) return null;
      const cc = countryCodeOf(countries.get(ip));
      const asn = isIP(ip) === 4 ? search(ipv4, ipv4ToNumber(ip)) : search(ipv6, ipv6ToBigInt(ip));
      if (cc === undefined || !/^[A-Z]{2}$/.test(cc) || cc === 'ZZ' || asn === null || asn === 0) return null;
      return { cc, asn };
    },
  };
}
