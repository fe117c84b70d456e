// The lab's address plan: every catalog host gets its own address in 198.18.0.0/15, and every ICE host the ports its URLs name.
import type { Catalog } from '../../src/core/catalog';
import { parseIceUrl } from '../../src/core/ice-url';

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
  /** Our call-test relay (coturn with the TURN REST API), for the call-test scenarios. */
  callRelayIp: '198.18.10.252',
} as const;

/** First host octet for catalog hosts; .53, .250 and .251 stay free for DNS, portal and block page. */
const FIRST_HOST = 100;

export type IceTransport = 'udp' | 'tcp' | 'tls';

export interface LabHost {
  name: string;
  ip: string;
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
    const created: LabHost = { name, ip: '', apps: [], control: false, web: false, http3: false, untrusted: false, ice: new Map() };
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
  return plan.hosts.map((entry) => entry.name);
}
