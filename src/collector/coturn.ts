// Writes a coturn configuration for the call-test relay from the collector's relay settings, and runs turnserver with it.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface CoturnOptions {
  /** coturn's static-auth-secret: the same string the collector mints credentials with. */
  secret: string;
  realm: string;
  /** Addresses to listen and relay on. */
  listenIps: string[];
  /** TURN/STUN over UDP and TCP. */
  port: number;
  /** TURN over TLS; needs `tls`. null: no TLS listener. */
  tlsPort: number | null;
  tls?: { certPath: string; keyPath: string };
  /** The public address, when the relay sits behind a 1:1 NAT (cloud hosts). */
  externalIp?: string;
  /** UDP port range for relay allocations. */
  relayPorts?: { min: number; max: number };
  /** Tests and a developer machine relay between two peers on 127.0.0.1. */
  allowLoopbackPeers?: boolean;
  /** Answer STUN Binding only (a reflector on one more port). */
  stunOnly?: boolean;
  /** Keep coturn's log: by default it goes nowhere, since it names client addresses. */
  logFile?: string;
}

/**
 * Peers the relay must never reach: private, link-local and other special ranges, so a client
 * cannot use our relay to reach the operator's own network. Loopback is refused by coturn itself.
 */
const DENIED_PEERS = [
  '0.0.0.0-0.255.255.255',
  '10.0.0.0-10.255.255.255',
  '100.64.0.0-100.127.255.255',
  '169.254.0.0-169.254.255.255',
  '172.16.0.0-172.31.255.255',
  '192.0.0.0-192.0.0.255',
  '192.168.0.0-192.168.255.255',
  '198.18.0.0-198.19.255.255',
  '240.0.0.0-255.255.255.255',
  '::ffff:0.0.0.0-::ffff:255.255.255.255',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

/** The turnserver.conf text for these options (one option per line, as coturn's -c file reads them). */
export function coturnConfig(options: CoturnOptions): string {
  if (/\s/.test(options.secret) || options.secret === '') throw new Error('the TURN secret must be a non-empty string without spaces');
  if (options.tlsPort !== null && options.tls === undefined) throw new Error('a TLS port needs a certificate and key');
  const lines = [
    '# Written by Can I Call? from the collector configuration: edit the collector settings, not this file.',
    'use-auth-secret',
    `static-auth-secret=${options.secret}`,
    `realm=${options.realm}`,
    ...options.listenIps.map((ip) => `listening-ip=${ip}`),
    ...options.listenIps.map((ip) => `relay-ip=${ip}`),
    `listening-port=${options.port}`,
    ...(options.tlsPort === null || options.tls === undefined
      ? ['no-tls']
      : [`tls-listening-port=${options.tlsPort}`, `cert=${options.tls.certPath}`, `pkey=${options.tls.keyPath}`, 'no-tlsv1', 'no-tlsv1_1']),
    ...(options.externalIp === undefined ? [] : [`external-ip=${options.externalIp}`]),
    ...(options.relayPorts === undefined ? [] : [`min-port=${options.relayPorts.min}`, `max-port=${options.relayPorts.max}`]),
    ...(options.stunOnly === true ? ['stun-only'] : []),
    ...(options.allowLoopbackPeers === true ? ['allow-loopback-peers'] : []),
    // The sustained test needs one UDP relay per peer, nothing more.
    'no-dtls',
    'no-tcp-relay',
    'no-multicast-peers',
    'no-rfc5780',
    'no-cli',
    'fingerprint',
    'stale-nonce=600',
    'user-quota=12',
    'total-quota=1200',
    ...DENIED_PEERS.map((range) => `denied-peer-ip=${range}`),
    // The call test is a loopback through the relay: its peers are the relay's own addresses, whatever range they are in.
    ...[...options.listenIps, ...(options.externalIp === undefined ? [] : [options.externalIp.split('/')[0] ?? ''])]
      .filter((ip) => ip !== '')
      .map((ip) => `allowed-peer-ip=${ip}`),
    `log-file=${options.logFile ?? '/dev/null'}`,
    'simple-log',
  ];
  return `${lines.join('\n')}\n`;
}

/** The turnserver binary: TURNSERVER_PATH, else the first on PATH, else undefined. */
export function findTurnserver(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = env.TURNSERVER_PATH ? [env.TURNSERVER_PATH] : [...(env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin'].filter(Boolean).map((dir) => join(dir, 'turnserver'));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one
    }
  }
  return undefined;
}

export interface RunningCoturn {
  pid: number | undefined;
  /** The last few kB coturn printed (only for a startup error; nothing is written to disk). */
  output(): string;
  stop(): Promise<void>;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

const OUTPUT_TAIL = 8_192;

/**
 * coturn cannot watch its parent, and a process killed with SIGKILL runs no exit handler: without this, a collector
 * (or `npm run relay`) killed hard would leave coturn running, holding its ports, with the secret in its temp dir.
 * So coturn starts through this sh script. It keeps its stdin, a pipe from us, as fd 3 for a watcher in the
 * background and then becomes coturn itself (exec: same pid, so our signals and exit code are coturn's). The pipe
 * reads end-of-file only once this process is gone, however it ended (the kernel closes its end), or once Node has
 * seen coturn exit; the watcher then stops coturn (TERM, then KILL after 5 s) and removes the temp dir.
 * An asynchronous list's own stdin is /dev/null in a non-interactive shell (POSIX), hence fd 3.
 */
const WATCHDOG = `dir=$1; shift
exec 3<&0 </dev/null
{
  read -r _ <&3
  kill -TERM $$ 2>/dev/null
  n=0
  while kill -0 $$ 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  kill -0 $$ 2>/dev/null && kill -KILL $$
  rm -rf "$dir"
} &
exec "$@" 3<&-
`;

/**
 * Starts turnserver with a config file in a fresh private temp dir (the secret is in it: mode 0600,
 * deleted on stop) and waits until it accepts TCP on the listening port (and the TLS port).
 * coturn is stopped and the dir removed when this process ends, even by SIGKILL (WATCHDOG).
 */
export async function runCoturn(binary: string, options: CoturnOptions): Promise<RunningCoturn> {
  const dir = mkdtempSync(join(tmpdir(), 'canicall-relay-'));
  const configPath = join(dir, 'turnserver.conf');
  writeFileSync(configPath, coturnConfig(options), { mode: 0o600 });
  const args = ['-c', configPath, `--pidfile=${join(dir, 'turnserver.pid')}`, `--userdb=${join(dir, 'turndb')}`];
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'canicall-coturn-watchdog', dir, binary, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    cleanup();
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };

  const host = options.listenIps[0] ?? '127.0.0.1';
  const ports = [options.port, ...(options.tlsPort === null ? [] : [options.tlsPort])];
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await stop();
        throw new Error(`turnserver exited (${child.exitCode ?? child.signalCode}) before listening on ${host}:${port}:\n${output}`);
      }
      if (await tcpOpen(host, port)) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`turnserver did not listen on ${host}:${port} within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { pid: child.pid, output: () => output, stop };
}
