// The NAT router's per-scenario configuration: one nftables table (filter, DNAT, masquerade, named address sets) and optional tc shaping of the whole link or of one set's traffic.
import { IF, NS, inNs } from './topology';

/** A token bucket (tc tbf): `latency` is how long a packet may wait in its queue, so it sizes the queue. */
export interface Bucket {
  rate: string;
  burst: string;
  latency: string;
}

/** A rate for one address set's traffic only, with a FIFO of `queueBytes` (tail drop beyond it). */
export interface SetRate {
  rate: string;
  queueBytes: number;
}

export interface RouterConfig {
  /** `random-fully` gives every new flow a random source port: address-dependent ("symmetric") mapping. */
  nat: 'masquerade' | 'random-fully';
  /** Named IPv4 address sets (one app's addresses), referred to in rules as `@name`. */
  sets?: Readonly<Record<string, readonly string[]>>;
  /** Other sets, written out in nft syntax (a dynamic set of flows with a timeout, a per-flow meter). */
  declarations?: readonly string[];
  /** Rules for the forward chain (policy accept), in order. */
  forward: readonly string[];
  /** Rules for the NAT prerouting chain (a captive portal's DNAT). */
  prerouting: readonly string[];
  /** The whole link: a token bucket towards the client (`down`) and towards the servers (`up`). */
  shape?: { down: Bucket; up: Bucket };
  /**
   * Only the traffic to and from one named set, each way: nftables marks it (`meta priority`) and an
   * HTB class with that id limits it; everything else passes unshaped.
   */
  shapeSet?: { set: string; down: SetRate; up: SetRate };
}

const TABLE = 'cic_lab';
/** The HTB class a shaped set's packets are put in (`meta priority set` names it directly). */
const SHAPED_CLASS = '1:10';
const OPEN_CLASS = '1:1';

/** The whole table, so a scenario replaces the previous one atomically. */
export function nftTable(config: RouterConfig): string {
  const masquerade = config.nat === 'random-fully' ? 'masquerade random,fully-random' : 'masquerade';
  const sets = Object.entries(config.sets ?? {}).map(
    ([name, addresses]) => `  set ${name} {\n    type ipv4_addr\n${addresses.length > 0 ? `    elements = { ${addresses.join(', ')} }\n` : ''}  }`,
  );
  const shaped = config.shapeSet;
  // Non-terminal and first: the shaped set's packets are classified whatever the filter rules do after.
  const classify = shaped === undefined ? [] : [`ip daddr @${shaped.set} meta priority set ${SHAPED_CLASS}`, `ip saddr @${shaped.set} meta priority set ${SHAPED_CLASS}`];
  const declarations = (config.declarations ?? []).map((declaration) => `  ${declaration}`);
  return `table inet ${TABLE} {
${[...sets, ...declarations].join('\n')}
  chain forward {
    type filter hook forward priority filter; policy accept;
${[...classify, ...config.forward].map((rule) => `    ${rule}`).join('\n')}
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

/** The tc commands for one router interface; `down` applies on the client side (rt-lan egress), `up` on the server side. */
export function tcCommands(config: RouterConfig, direction: 'down' | 'up'): string[][] {
  const dev = direction === 'down' ? IF.routerLan : IF.routerWan;
  if (config.shape !== undefined && config.shapeSet !== undefined) throw new Error('a scenario shapes either the whole link or one set, not both');
  if (config.shape !== undefined) {
    const { rate, burst, latency } = config.shape[direction];
    return [['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', burst, 'latency', latency]];
  }
  if (config.shapeSet !== undefined) {
    const { rate, queueBytes } = config.shapeSet[direction];
    return [
      ['qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', OPEN_CLASS.split(':')[1] ?? '1'],
      // veth has no rate of its own; "unlimited" for everything outside the set.
      ['class', 'add', 'dev', dev, 'parent', '1:', 'classid', OPEN_CLASS, 'htb', 'rate', '10gbit'],
      ['class', 'add', 'dev', dev, 'parent', '1:', 'classid', SHAPED_CLASS, 'htb', 'rate', rate, 'ceil', rate],
      ['qdisc', 'add', 'dev', dev, 'parent', SHAPED_CLASS, 'handle', '10:', 'bfifo', 'limit', String(queueBytes)],
    ];
  }
  return [];
}

export function applyRouter(config: RouterConfig): void {
  const tables = inNs(NS.router, 'nft', ['list', 'tables']);
  const flush = tables.includes(`inet ${TABLE}`) ? `delete table inet ${TABLE}\n` : '';
  inNs(NS.router, 'nft', ['-f', '-'], flush + nftTable(config));
  // Conntrack entries of the previous scenario stay until they expire; they cannot match this one's
  // flows because every check starts a fresh browser, whose sockets get fresh source ports.
  for (const direction of ['down', 'up'] as const) {
    const dev = direction === 'down' ? IF.routerLan : IF.routerWan;
    try {
      inNs(NS.router, 'tc', ['qdisc', 'del', 'dev', dev, 'root']);
    } catch {
      // No qdisc of ours on it.
    }
    for (const command of tcCommands(config, direction)) inNs(NS.router, 'tc', command);
  }
}

/** For a failure message: the router's qdiscs with their counters (drops, backlog). */
export function tcStats(): string {
  return [IF.routerLan, IF.routerWan]
    .map((dev) => {
      try {
        return `${dev}:\n${inNs(NS.router, 'tc', ['-s', 'qdisc', 'show', 'dev', dev])}`;
      } catch (error) {
        return `${dev}: ${String(error)}`;
      }
    })
    .join('\n');
}
