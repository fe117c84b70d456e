// Builds and tears down the lab's three network namespaces (client, NAT router, servers) joined by veth pairs.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { NET } from './address-plan';

export const NS = {
  client: 'cic-lab-client',
  router: 'cic-lab-router',
  server: 'cic-lab-server',
} as const;
export type Namespace = (typeof NS)[keyof typeof NS];

/** Interface names, each living inside its namespace only: nothing is added to the machine's own namespace. */
export const IF = {
  client: 'cl-eth',
  routerLan: 'rt-lan',
  routerWan: 'rt-wan',
  server: 'sv-eth',
} as const;

/** Names are fixed (scripts and the README refer to them), so one lab per machine: this file holds the owner's pid. */
const LOCK = '/run/cic-lab.pid';

/** `ip netns exec` bind-mounts this over /etc/resolv.conf for processes in the client namespace. */
const CLIENT_NETNS_ETC = `/etc/netns/${NS.client}`;

const TOOLS: readonly { path: string; install: string }[] = [
  { path: '/usr/sbin/ip', install: 'iproute2' },
  { path: '/usr/sbin/nft', install: 'nftables' },
  { path: '/usr/sbin/tc', install: 'iproute2' },
  { path: '/usr/sbin/dnsmasq', install: 'dnsmasq-base (or dnsmasq)' },
  { path: '/usr/bin/turnserver', install: 'coturn' },
  { path: '/usr/bin/openssl', install: 'openssl' },
  { path: '/usr/bin/certutil', install: 'libnss3-tools' },
  { path: '/usr/bin/caddy', install: 'caddy' },
];

export function run(command: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input, timeout: 20_000 });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
  }
}

export function inNs(ns: string, command: string, args: readonly string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, command, ...args], input);
}

/** Starts a long-running process inside a namespace; the caller keeps the handle to stop it. */
export function spawnInNs(ns: Namespace, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/**
 * Fails with a message that says what is missing: the lab needs root (CAP_NET_ADMIN and
 * CAP_SYS_ADMIN for `ip netns`), and its tools installed. Never a skip: a lab that silently does
 * not run proves nothing.
 */
export function checkPrerequisites(): void {
  const missing = TOOLS.filter((tool) => !existsSync(tool.path)).map((tool) => `${tool.path} (apt-get install ${tool.install})`);
  if (missing.length > 0) throw new Error(`the network lab needs these tools: ${missing.join(', ')}`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the network lab must run as root (it creates network namespaces, veth pairs and nftables rules): run it with sudo, or in CI in a privileged container');
  }
  const probe = 'cic-lab-probe';
  try {
    run('ip', ['netns', 'add', probe]);
    inNs(probe, 'nft', ['list', 'tables']);
  } catch (error) {
    throw new Error(
      `cannot create a network namespace or use nftables in it (needs CAP_SYS_ADMIN and CAP_NET_ADMIN; in Docker use --privileged or --cap-add SYS_ADMIN,NET_ADMIN): ${String(error)}`,
    );
  } finally {
    if (namespaceExists(probe)) run('ip', ['netns', 'del', probe]);
  }
}

function namespaceExists(name: string): boolean {
  return run('ip', ['netns', 'list']).split('\n').some((line) => line.split(' ')[0] === name);
}

function killNamespaceProcesses(ns: string): void {
  const pids = () =>
    run('ip', ['netns', 'pids', ns])
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  // Every process in our namespaces was started by the lab (now or in an interrupted run).
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const alive = pids();
    if (alive.length === 0) return;
    for (const pid of alive) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
    const until = Date.now() + 2000;
    while (pids().length > 0 && Date.now() < until) execFileSync('sleep', ['0.05']);
  }
}

/**
 * Removes everything the lab creates: its processes, namespaces (their veths go with them) and
 * the client's resolv.conf. Synchronous, so it also runs from exit and signal handlers, and
 * idempotent, so a run first clears what an interrupted one left behind.
 */
export function destroyLab(): void {
  // Never tear down another live run's lab (e.g. when our own setup stopped at its lock).
  const owner = lockOwner();
  if (owner !== null && owner !== process.pid && isAlive(owner)) return;
  clearNamespaces();
  releaseLock();
}

function clearNamespaces(): void {
  for (const ns of [NS.client, NS.router, NS.server]) {
    if (!namespaceExists(ns)) continue;
    killNamespaceProcesses(ns);
    run('ip', ['netns', 'del', ns]);
  }
  rmSync(CLIENT_NETNS_ETC, { recursive: true, force: true });
  try {
    // /etc/netns exists only for us on most machines; leave it if anything else is in it.
    rmdirSync('/etc/netns');
  } catch {
    // Not empty, or already gone.
  }
}

let handlersInstalled = false;

/** Tears the lab down however the process ends (normal exit, Ctrl-C, kill). */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const cleanup = () => {
    try {
      destroyLab();
    } catch (error) {
      console.error(`lab cleanup failed: ${String(error)}`);
    }
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Refuses to start while another live run owns the lab; a dead owner's leftovers are ours to clear. */
function lockOwner(): number | null {
  try {
    const owner = Number(readFileSync(LOCK, 'utf8').trim());
    return Number.isInteger(owner) && owner > 0 ? owner : null;
  } catch {
    return null;
  }
}

function takeLock(): void {
  const owner = lockOwner();
  if (owner !== null && owner !== process.pid && isAlive(owner)) {
    throw new Error(`another network lab run (pid ${owner}) is using the lab namespaces; wait for it or stop it`);
  }
  writeFileSync(LOCK, `${process.pid}\n`);
}

function releaseLock(): void {
  if (lockOwner() === process.pid) rmSync(LOCK, { force: true });
}

/** Creates client ─ router ─ server with addresses and routes inside 198.18.0.0/15 only. */
export function createTopology(): void {
  takeLock();
  clearNamespaces();
  installExitHandlers();
  for (const ns of [NS.client, NS.router, NS.server]) {
    run('ip', ['netns', 'add', ns]);
    inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    // IPv4 only: one address family keeps candidate and NAT results unambiguous.
    inNs(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
    inNs(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  // veth ends are created directly inside their namespaces.
  run('ip', ['link', 'add', IF.client, 'netns', NS.client, 'type', 'veth', 'peer', 'name', IF.routerLan, 'netns', NS.router]);
  run('ip', ['link', 'add', IF.routerWan, 'netns', NS.router, 'type', 'veth', 'peer', 'name', IF.server, 'netns', NS.server]);
  const p = NET.prefix;
  inNs(NS.client, 'ip', ['addr', 'add', `${NET.clientIp}/${p}`, 'dev', IF.client]);
  inNs(NS.router, 'ip', ['addr', 'add', `${NET.routerLanIp}/${p}`, 'dev', IF.routerLan]);
  inNs(NS.router, 'ip', ['addr', 'add', `${NET.routerWanIp}/${p}`, 'dev', IF.routerWan]);
  inNs(NS.server, 'ip', ['addr', 'add', `${NET.serverWanIp}/${p}`, 'dev', IF.server]);
  inNs(NS.client, 'ip', ['link', 'set', IF.client, 'up']);
  inNs(NS.router, 'ip', ['link', 'set', IF.routerLan, 'up']);
  inNs(NS.router, 'ip', ['link', 'set', IF.routerWan, 'up']);
  inNs(NS.server, 'ip', ['link', 'set', IF.server, 'up']);
  // No default route anywhere: the client reaches the lab block through the router and nothing else.
  inNs(NS.client, 'ip', ['route', 'add', NET.labBlock, 'via', NET.routerLanIp]);
  inNs(NS.router, 'ip', ['route', 'add', NET.services, 'via', NET.serverWanIp]);
  inNs(NS.router, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  mkdirSync(CLIENT_NETNS_ETC, { recursive: true });
  writeFileSync(`${CLIENT_NETNS_ETC}/resolv.conf`, `nameserver ${NET.dnsIp}\noptions timeout:1 attempts:1\n`);
}

/** Adds service addresses to the server's loopback (they are reached through the router's route). */
export function addServiceAddresses(ips: readonly string[]): void {
  for (const ip of ips) inNs(NS.server, 'ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
}

/** For debugging a failed scenario: the router's rules and counters. */
export function routerRuleset(): string {
  try {
    return inNs(NS.router, 'nft', ['list', 'ruleset']);
  } catch (error) {
    return String(error);
  }
}
