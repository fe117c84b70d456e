// The NAT router's per-scenario configuration: one nftables table (filter, DNAT, masquerade) and an optional tc token bucket.
import { IF, NS, inNs } from './topology';

export interface RouterConfig {
  /** `random-fully` gives every new flow a random source port: address-dependent ("symmetric") mapping. */
  nat: 'masquerade' | 'random-fully';
  /** Rules for the forward chain (policy accept), in order. */
  forward: readonly string[];
  /** Rules for the NAT prerouting chain (a captive portal's DNAT). */
  prerouting: readonly string[];
  /** A token bucket on both router interfaces (upload and download). */
  shape?: { rate: string; burst: string; latency: string };
}

const TABLE = 'cic_lab';

/** The whole table, so a scenario replaces the previous one atomically. */
export function nftTable(config: RouterConfig): string {
  const masquerade = config.nat === 'random-fully' ? 'masquerade random,fully-random' : 'masquerade';
  return `table inet ${TABLE} {
  chain forward {
    type filter hook forward priority filter; policy accept;
${config.forward.map((rule) => `    ${rule}`).join('\n')}
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${config.prerouting.map((rule) => `    ${rule}`).join('\n')}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${IF.routerWan}" ${masquerade}
  }
}
`;
}

export function applyRouter(config: RouterConfig): void {
  const tables = inNs(NS.router, 'nft', ['list', 'tables']);
  const flush = tables.includes(`inet ${TABLE}`) ? `delete table inet ${TABLE}\n` : '';
  inNs(NS.router, 'nft', ['-f', '-'], flush + nftTable(config));
  // Conntrack entries of the previous scenario stay until they expire; they cannot match this one's
  // flows because every scenario starts a fresh browser, whose sockets get fresh source ports.
  for (const dev of [IF.routerLan, IF.routerWan]) {
    try {
      inNs(NS.router, 'tc', ['qdisc', 'del', 'dev', dev, 'root']);
    } catch {
      // No qdisc of ours on it.
    }
    if (config.shape !== undefined) {
      const { rate, burst, latency } = config.shape;
      inNs(NS.router, 'tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', burst, 'latency', latency]);
    }
  }
}

