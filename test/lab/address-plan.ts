// The lab's address plan: every catalog host gets its own address in 198.18.0.0/15, and every ICE host the ports its URLs name.
import type { Catalog, IceTarget } from '../../src/core/catalog';
import { parseIceUrl } from '../../src/core/ice-url';
import { reflectionPorts } from '../../src/core/reflection';

/*
 * Only 198.18.0.0/15 (RFC 2544 benchmarking) is used, so nothing in the lab can be confused with,
 * or routed to, a real network:
 *
 *   client 198.18.0.2/24 ── 198.18.0.1/24 router 198.18.1.1/24 ── 198.18.1.2/24 server
 *                                                                  + 198.18.10.0/24 on its lo
 */
export const NET = {
  clientIp: '198.18.0.2',
  routerLanIp: '198.18.0.1',
  routerWanIp: '198.18.1.1',
  serverWanIp: '198.18.1.2',
  prefix: 24,
  /** Where every service address lives (on the server's loopback, routed by the router). */
  services: '198.18.10.0/24',
  /** The whole block the client may reach: no default route exists anywhere in the lab. */
  labBlock: '198.18.0.0/15',
  dnsIp: '198.18.10.53',
  /** A captive portal's own server: login page over HTTP, a certificate for its own name over HTTPS. */
  portalIp: '198.18.10.250',
  /** Where DNS blocking points names: an ISP block page, with a certificate for another name. */
  blockPageIp: '198.18.10.251',
  /** Our call-test relay (coturn with the TURN REST API), for the call-test scenarios and port reflection. */
  callRelayIp: '198.18.10.252',
  /** Our collector, which mints the relay's credentials and names its reflector (scenarios with the relay allowed). */
  collectorIp: '198.18.10.254',
} as const;

/** First host octet for catalog hosts; .53, .250 and .251 stay free for DNS, portal and block page. */
const FIRST_HOST = 100;

export type IceTransport = 'udp' | 'tcp' | 'tls';

export interface LabHost {
  /** The host as the catalog names it: a name, or an IP literal (an unverified call server). */
  name: string;
  ip: string;
  /**
   * The catalog names this host by an IP address (Telegram's call servers): no DNS can serve it, so the check gets
   * a catalog with the address replaced by `ip` (labCatalog), and the real address is never dialled.
   */
  literal: boolean;
  /** App ids whose targets use this host. */
  apps: string[];
  /** A control target uses it too. */
  control: boolean;
  /** Served over HTTP(S) (signalling, controls, DoH). */
  web: boolean;
  /** Also over HTTP/3 (a control with `http3`), by caddy instead of the Node servers. */
  http3: boolean;
  /** Signal's hosts present a certificate from a CA no browser trusts (catalog expectFailure). */
  untrusted: boolean;
  /** STUN/TURN ports this host must answer, by port. */
  ice: Map<number, Set<IceTransport>>;
}

export interface AddressPlan {
  hosts: LabHost[];
  byName: ReadonlyMap<string, LabHost>;
  /** Addresses of the hosts an app uses (signalling and media); `exclusiveOnly` leaves out hosts shared with other apps or controls. */
  appAddresses(appId: string, options?: { exclusiveOnly?: boolean }): string[];
}

function hostnameOf(url: string): string {
  const ice = parseIceUrl(url);
  if (ice !== null) return ice.host;
  return new URL(url).hostname;
}

/** Builds the plan from the catalog, so a new catalog host is served without touching the lab. */
export function addressPlan(catalog: Catalog): AddressPlan {
  const hosts = new Map<string, LabHost>();
  const host = (name: string): LabHost => {
    const known = hosts.get(name);
    if (known !== undefined) return known;
    const created: LabHost = { name, ip: '', apps: [], control: false, web: false, http3: false, untrusted: false, literal: isIpLiteral(name), ice: new Map() };
    hosts.set(name, created);
    return created;
  };
  const addIce = (url: string, appId?: string): void => {
    const parsed = parseIceUrl(url);
    if (parsed === null) throw new Error(`the catalog has an ICE URL the lab cannot serve: ${url}`);
    const entry = host(parsed.host);
    if (appId === undefined) entry.control = true;
    else if (!entry.apps.includes(appId)) entry.apps.push(appId);
    const transports = entry.ice.get(parsed.port) ?? new Set<IceTransport>();
    transports.add(parsed.transport);
    entry.ice.set(parsed.port, transports);
  };

  for (const target of catalog.controls.http) {
    const entry = host(hostnameOf(target.url));
    entry.web = true;
    entry.control = true;
    if (target.http3 !== undefined && target.url.startsWith('https:')) entry.http3 = true;
  }
  for (const target of catalog.controls.stun) addIce(target.url);
  if (catalog.controls.doh !== undefined) host(hostnameOf(catalog.controls.doh)).web = true;
  for (const app of catalog.apps) {
    for (const target of app.signalling) {
      const entry = host(hostnameOf(target.url));
      entry.web = true;
      if (!entry.apps.includes(app.id)) entry.apps.push(app.id);
      if (target.expectFailure === 'ssl_unknown_authority') entry.untrusted = true;
    }
    for (const target of app.media) addIce(target.url, app.id);
  }

  const sorted = [...hosts.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (FIRST_HOST + sorted.length > 249) throw new Error(`the catalog has ${sorted.length} hosts; the lab's /24 holds 149`);
  sorted.forEach((entry, index) => {
    entry.ip = `198.18.10.${FIRST_HOST + index}`;
    if (entry.literal && (entry.web || [...entry.ice.values()].some((transports) => transports.has('tls')))) {
      // A certificate or an HTTP Host for an address would need more than the lab's per-name PKI and DNS.
      throw new Error(`${entry.name}: the lab serves an IP-literal host over STUN/TURN without TLS only`);
    }
    if (entry.web && entry.ice.size > 0) {
      // One address cannot hold both our HTTPS server and coturn's TLS listener on 443.
      throw new Error(`${entry.name} is both a web and an ICE host; give the lab separate addresses for it`);
    }
  });
  const byName = new Map(sorted.map((entry) => [entry.name, entry]));
  return {
    hosts: sorted,
    byName,
    appAddresses(appId, options = {}) {
      return sorted
        .filter((entry) => entry.apps.includes(appId) && (!options.exclusiveOnly || (entry.apps.length === 1 && !entry.control)))
        .map((entry) => entry.ip);
    },
  };
}

/** Every name a certificate must cover for the lab's HTTPS and TURN-over-TLS servers. */
export function certificateNames(plan: AddressPlan): string[] {
  return plan.hosts.filter((entry) => !entry.literal).map((entry) => entry.name);
}

/** An IPv4 literal or a (bracketed or bare) IPv6 one, as a URL's host gives it. */
function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** Whether an IPv4 address is in NET.labBlock (198.18.0.0/15). */
export function inLabBlock(address: string): boolean {
  const [a, b] = address.split('.').map(Number);
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && a === 198 && (b === 18 || b === 19);
}

/**
 * The catalog the lab's checks run: the bundled one with every IP-literal ICE host replaced by its lab address
 * (the rest stays as it is: names are served by the lab's DNS). It refuses to give a check any address outside
 * 198.18.0.0/15, so no lab check can dial a real server even if the plan missed one.
 */
export function labCatalog(catalog: Catalog, plan: AddressPlan): Catalog {
  const relabel = (target: IceTarget): IceTarget => {
    const parsed = parseIceUrl(target.url);
    const host = parsed === null ? undefined : plan.byName.get(parsed.host);
    if (parsed === null || host === undefined || !host.literal) return target;
    const url = target.url.replace(/^((?:stun|turns?):)(\[[^\]]+\]|[^:?]+)/, `$1${host.ip}`);
    return { ...target, url };
  };
  const result: Catalog = {
    ...catalog,
    controls: { ...catalog.controls, stun: catalog.controls.stun.map(relabel) },
    apps: catalog.apps.map((app) => ({ ...app, media: app.media.map(relabel) })),
  };
  const hosts = [...result.controls.stun, ...result.apps.flatMap((app) => app.media)].map((t) => parseIceUrl(t.url)?.host ?? '');
  const outside = hosts.filter((host) => isIpLiteral(host) && !inLabBlock(host));
  if (outside.length > 0) throw new Error(`the lab catalog would dial ${outside.join(', ')}, outside ${NET.labBlock}`);
  return result;
}

/**
 * The ports the lab's relay reflects besides its own: every port some app's reflection would probe if the relay served
 * all of the app's documented ports, so every app judged from its call ports is judged in the lab. Derived from the
 * catalog like the address plan; an operator lists theirs in CIC_REFLECTOR_PORTS.
 */
export function labReflectorPorts(catalog: Catalog, relayPort: number): number[] {
  const ports = new Set<number>();
  for (const app of catalog.apps) for (const port of reflectionPorts(app, new Set(app.udpPorts))) ports.add(port);
  ports.delete(relayPort);
  return [...ports].sort((a, b) => a - b);
}
