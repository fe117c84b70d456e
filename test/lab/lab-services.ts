// Starts the server namespace's services: coturn per ICE host, the web servers process, and dnsmasq (restarted per scenario with that scenario's answers).
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestPki } from '../../tools/pki';
import { NET, type AddressPlan, type LabHost } from './address-plan';
import { NS, inNs, spawnInNs } from './topology';
import type { WebServersConfig } from './web-servers';

interface Child {
  name: string;
  process: ChildProcess;
  output(): string;
}

function track(name: string, child: ChildProcess): Child {
  let output = '';
  const append = (chunk: Buffer) => {
    // Keep the tail only: coturn is chatty and a run lasts minutes.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { name, process: child, output: () => output };
}

function stopChild(child: Child): Promise<void> {
  return new Promise((done) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return done();
    const timer = setTimeout(() => {
      child.process.kill('SIGKILL');
    }, 3000);
    child.process.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.process.kill('SIGTERM');
  });
}

/** Waits until every `proto ip:port` is listening in the server namespace, or fails with the children's output. */
async function waitForListeners(wanted: readonly string[], children: readonly Child[], timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let missing = [...wanted];
  while (Date.now() < until) {
    const dead = children.find((child) => child.process.exitCode !== null);
    if (dead !== undefined) throw new Error(`${dead.name} exited with ${String(dead.process.exitCode)}:\n${dead.output()}`);
    const listening = new Set(
      inNs(NS.server, 'ss', ['-H', '-lntu'])
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .map((cols) => `${cols[0] ?? ''} ${cols[4] ?? ''}`),
    );
    missing = wanted.filter((entry) => !listening.has(entry));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  const logs = children.map((child) => `--- ${child.name}\n${child.output().slice(-2000)}`).join('\n');
  throw new Error(`services did not open ${missing.join(', ')} in time:\n${logs}`);
}

/**
 * One coturn per ICE host, listening on exactly the ports the catalog names for it. coturn tells
 * plain TCP from TLS on its TLS port by itself, so `turn:host:443?transport=tcp` and
 * `turns:host:443` share one listener; other plain ports are auxiliary servers (UDP and TCP).
 */
function coturnArgs(host: LabHost, pki: TestPki, dir: string): { args: string[]; listeners: string[] } {
  const ports = [...host.ice.entries()].sort(([a], [b]) => a - b);
  const tlsPorts = ports.filter(([, transports]) => transports.has('tls')).map(([port]) => port);
  if (tlsPorts.length > 1) throw new Error(`${host.name}: the lab serves TURN over TLS on one port per host, not ${tlsPorts.join(', ')}`);
  const [tlsPort] = tlsPorts;
  const plain = ports.map(([port]) => port).filter((port) => port !== tlsPort);
  // coturn always opens a main listening port; a host with only TLS gets an unused one.
  const [main = tlsPort === 3478 ? 3479 : 3478, ...aux] = plain;
  const listeners = [`udp ${host.ip}:${main}`, `tcp ${host.ip}:${main}`, ...aux.flatMap((p) => [`udp ${host.ip}:${p}`, `tcp ${host.ip}:${p}`])];
  if (tlsPort !== undefined) listeners.push(`tcp ${host.ip}:${tlsPort}`);
  const args = [
    '-n',
    '--no-cli',
    `--listening-ip=${host.ip}`,
    `--relay-ip=${host.ip}`,
    `--listening-port=${main}`,
    ...(tlsPort === undefined ? ['--no-tls'] : [`--tls-listening-port=${tlsPort}`]),
    '--no-dtls',
    ...aux.map((port) => `--aux-server=${host.ip}:${port}`),
    '--no-rfc5780',
    // Long-term credentials: the extension's dummy credentials get the 401 that proves reachability.
    '--lt-cred-mech',
    '--user=canicall:secret',
    '--realm=lab.canicall.test',
    `--cert=${pki.server.certPath}`,
    `--pkey=${pki.server.keyPath}`,
    '--relay-threads=1',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${join(dir, `turnserver-${host.ip}.pid`)}`,
    `--userdb=${join(dir, `turndb-${host.ip}`)}`,
  ];
  return { args, listeners };
}

/**
 * caddy for the hosts whose controls offer HTTP/3: HTTPS over TCP and QUIC on 443 with the lab
 * certificate, announcing h3 in Alt-Svc as any HTTP/3 server does; the same answers as web-servers.ts
 * gives (generate_204 → 204, anything else → 200).
 */
function caddyConfig(hosts: readonly LabHost[], pki: TestPki): string {
  const global = ['{', '\tadmin off', '\tauto_https disable_redirects', '\tskip_install_trust', '\tservers {', '\t\tprotocols h1 h2 h3', '\t}', '}'];
  const sites = hosts.flatMap((host) => [
    `https://${host.name}:443 {`,
    `\tbind ${host.ip}`,
    `\ttls ${pki.server.certPath} ${pki.server.keyPath}`,
    '\theader Cache-Control no-store',
    '\trespond /generate_204 204',
    `\trespond "lab ${host.name}" 200`,
    '}',
  ]);
  return `${[...global, ...sites].join('\n')}\n`;
}

export interface DnsConfig {
  /** Names that answer NXDOMAIN (every name not in the plan does anyway). */
  nxdomain?: readonly string[];
  /** Names answered with another address (a block page). */
  override?: Readonly<Record<string, string>>;
}

function dnsmasqConf(plan: AddressPlan, dns: DnsConfig, dir: string): string {
  const lines = [
    'no-resolv',
    'no-hosts',
    'no-poll',
    `listen-address=${NET.dnsIp}`,
    'bind-interfaces',
    'port=53',
    // TTL 0: a browser caches nothing from one scenario to the next.
    'local-ttl=0',
    'neg-ttl=0',
    'log-queries',
    `log-facility=${join(dir, 'dnsmasq.log')}`,
    `pid-file=${join(dir, 'dnsmasq.pid')}`,
    'user=root',
    // Every name the lab does not serve is NXDOMAIN: nothing is ever forwarded.
    'address=/#/',
  ];
  // An IP-literal host has no name to answer: the check's catalog names its lab address instead (labCatalog).
  for (const host of plan.hosts.filter((h) => !h.literal)) {
    if (dns.nxdomain?.includes(host.name)) continue;
    const ip = dns.override?.[host.name] ?? host.ip;
    // `local=` makes AAAA and other types NODATA for the name instead of a forward (dnsmasq ≥ 2.86).
    lines.push(`address=/${host.name}/${ip}`, `local=/${host.name}/`);
  }
  return `${lines.join('\n')}\n`;
}

export interface LabServices {
  /** Restarts dnsmasq with this scenario's answers. */
  setDns(dns: DnsConfig): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

export async function startServices(plan: AddressPlan, pki: TestPki, dir: string): Promise<LabServices> {
  const children: Child[] = [];
  const listeners: string[] = [];
  try {
    for (const host of plan.hosts.filter((h) => h.ice.size > 0)) {
      const { args, listeners: wanted } = coturnArgs(host, pki, dir);
      children.push(track(`coturn ${host.name}`, spawnInNs(NS.server, '/usr/bin/turnserver', args)));
      listeners.push(...wanted);
    }

    const webHosts = plan.hosts.filter((h) => h.web);
    const doh = plan.hosts.find((h) => h.name === 'dns.google');
    const config: WebServersConfig = {
      hosts: webHosts.map((h) => ({ name: h.name, ip: h.ip, untrusted: h.untrusted, http3: h.http3 })),
      portalIp: NET.portalIp,
      blockPageIp: NET.blockPageIp,
      dohHost: doh?.name ?? 'dns.google',
      answers: Object.fromEntries(plan.hosts.filter((h) => !h.literal).map((h) => [h.name, h.ip])),
      certs: {
        trusted: { cert: pki.server.cert, key: pki.server.key },
        wrongHost: { cert: pki.wrongHost.cert, key: pki.wrongHost.key },
        unknownCa: { cert: pki.unknownCa.cert, key: pki.unknownCa.key },
      },
    };
    const configPath = join(dir, 'web-servers.json');
    writeFileSync(configPath, JSON.stringify(config));
    const script = resolve('test/lab/web-servers.ts');
    children.push(track('web servers', spawnInNs(NS.server, process.execPath, ['--import', 'tsx', script, configPath])));
    for (const ip of [...webHosts.map((h) => h.ip), NET.portalIp, NET.blockPageIp]) listeners.push(`tcp ${ip}:443`, `tcp ${ip}:80`);
    const quicHosts = webHosts.filter((h) => h.http3);
    if (quicHosts.length > 0) {
      const caddyfile = join(dir, 'Caddyfile');
      writeFileSync(caddyfile, caddyConfig(quicHosts, pki));
      // caddy keeps state under XDG dirs: the lab's own, never the machine's.
      const env = { ...process.env, XDG_DATA_HOME: join(dir, 'caddy-data'), XDG_CONFIG_HOME: join(dir, 'caddy-config') };
      children.push(track('caddy', spawnInNs(NS.server, '/usr/bin/caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], { env })));
      for (const host of quicHosts) listeners.push(`udp ${host.ip}:443`);
    }
    await waitForListeners(listeners, children);
  } catch (error) {
    await Promise.all(children.map(stopChild));
    throw error;
  }

  let dnsmasq: Child | null = null;
  return {
    async setDns(dns) {
      if (dnsmasq !== null) await stopChild(dnsmasq);
      const confPath = join(dir, 'dnsmasq.conf');
      writeFileSync(confPath, dnsmasqConf(plan, dns, dir));
      dnsmasq = track('dnsmasq', spawnInNs(NS.server, '/usr/sbin/dnsmasq', ['--keep-in-foreground', `--conf-file=${confPath}`]));
      await waitForListeners([`udp ${NET.dnsIp}:53`, `tcp ${NET.dnsIp}:53`], [dnsmasq]);
    },
    async stop() {
      await Promise.all([...children, ...(dnsmasq === null ? [] : [dnsmasq])].map(stopChild));
    },
    logs() {
      return [...children, ...(dnsmasq === null ? [] : [dnsmasq])].map((c) => `--- ${c.name}\n${c.output().slice(-3000)}`).join('\n');
    },
  };
}

/** Service addresses the server namespace must own. */
export function serviceAddresses(plan: AddressPlan): string[] {
  return [...plan.hosts.map((h) => h.ip), NET.dnsIp, NET.portalIp, NET.blockPageIp];
}

export interface CallRelay {
  secret: string;
  /** TURN over UDP and TCP. */
  port: number;
  stop(): Promise<void>;
  logs(): string;
}

/** The relay's TURN/STUN port (UDP and TCP): the reflector's control. */
export const CALL_RELAY_PORT = 3478;

/** The server namespace's own table: the relay's reflector ports sent to its one listening port. */
const RELAY_TABLE = 'cic_lab_relay';

/**
 * The reflector as an operator runs it (src/collector/README.md "Reflector ports"): coturn listens on one port and the
 * kernel sends the others to it, the answer going back from the port the client used. A DNAT to the relay's address
 * rather than the README's `redirect`, which would go to the interface's primary address, where this coturn does not
 * listen (it listens on the relay's address only: the lab's other coturns hold 3478 on theirs).
 */
function reflectorTable(ip: string, port: number, reflectorPorts: readonly number[]): string {
  return `table inet ${RELAY_TABLE} {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr ${ip} udp dport { ${reflectorPorts.join(', ')} } dnat ip to ${ip}:${port}
  }
}
`;
}

/**
 * Our call-test relay in the server namespace: coturn with the TURN REST API (`use-auth-secret`), UDP and TCP only,
 * answering STUN Binding also on `reflectorPorts` (redirected to its port in the kernel).
 */
export async function startCallRelay(dir: string, secret: string, reflectorPorts: readonly number[] = []): Promise<CallRelay> {
  const ip = NET.callRelayIp;
  const port = CALL_RELAY_PORT;
  if (reflectorPorts.length > 0) inNs(NS.server, 'nft', ['-f', '-'], reflectorTable(ip, port, reflectorPorts));
  const child = track(
    'call relay',
    spawnInNs(NS.server, '/usr/bin/turnserver', [
      '-n',
      '--no-cli',
      `--listening-ip=${ip}`,
      `--relay-ip=${ip}`,
      `--listening-port=${port}`,
      '--no-tls',
      '--no-dtls',
      '--no-rfc5780',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=lab.canicall.test',
      '--relay-threads=1',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(dir, 'turnserver-call-relay.pid')}`,
      `--userdb=${join(dir, 'turndb-call-relay')}`,
    ]),
  );
  try {
    await waitForListeners([`udp ${ip}:${port}`, `tcp ${ip}:${port}`], [child]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { secret, port, stop: () => stopChild(child), logs: () => child.output().slice(-3000) };
}

export interface LabCollector {
  /** What the browser's settings name (collectorUrl). */
  url: string;
  stop(): Promise<void>;
  logs(): string;
}

/**
 * Our collector in the server namespace, started as an operator starts it (`npm run collector`, configured by
 * environment), minting credentials for `relay` and naming its reflector ports. Plain HTTP on the lab's own address.
 */
export async function startCollector(dir: string, relay: CallRelay, reflectorPorts: readonly number[]): Promise<LabCollector> {
  const ip = NET.collectorIp;
  const port = 8787;
  const env = {
    ...process.env,
    HOST: ip,
    PORT: String(port),
    DATA_DIR: join(dir, 'collector-data'),
    // Five checks a scenario from one address are not abuse.
    RATE_LIMIT: 'off',
    CIC_TURN_SECRET: relay.secret,
    CIC_TURN_HOST: NET.callRelayIp,
    CIC_TURN_PORT: String(relay.port),
    CIC_TURN_TLS_PORT: '0',
    CIC_REFLECTOR_PORTS: reflectorPorts.join(','),
    CIC_LOCAL_RELAY: '0',
  };
  const child = track('collector', spawnInNs(NS.server, process.execPath, ['--import', 'tsx', resolve('src/collector/main.ts')], { env }));
  try {
    await waitForListeners([`tcp ${ip}:${port}`], [child], 30_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url: `http://${ip}:${port}`, stop: () => stopChild(child), logs: () => child.output().slice(-3000) };
}
