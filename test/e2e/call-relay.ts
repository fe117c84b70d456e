// The call test's relay for browser tests: a real coturn with the TURN REST API (use-auth-secret), credentials minted
// as the collector mints them, and a UDP middlebox that cuts each flow some time after its first packet.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync } from 'node:fs';
import { Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { turnPassword } from '../../src/collector/turn-credentials';
import type { CallRelay } from '../../src/core/call-relay';
import type { CertPair } from '../support/pki';
import { closedTcpPort } from '../support/servers';

export interface RestCoturn {
  /** UDP and TCP port. */
  port: number;
  tlsPort: number;
  secret: string;
  stop(): Promise<void>;
}

async function waitForTcp(port: number, exited: () => boolean, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (exited()) throw new Error(`coturn exited:\n${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = new TcpSocket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`coturn did not open port ${port}:\n${log()}`);
}

/** Debian's coturn on loopback with `use-auth-secret`, relaying between loopback peers (both ends of the loopback are here). */
export async function startRestCoturn(tls: CertPair, secret = 'call-test-secret'): Promise<RestCoturn> {
  const binary = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';
  if (!existsSync(binary)) throw new Error(`coturn not found at ${binary}. Install it with "apt-get install coturn".`);
  const port = await closedTcpPort();
  const tlsPort = await closedTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'coturn-rest-'));
  const child = spawn(
    binary,
    [
      '-n',
      '--no-cli',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--tls-listening-port=${tlsPort}`,
      '--no-rfc5780',
      '--no-dtls',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=canicall.test',
      '--allow-loopback-peers',
      `--cert=${tls.certPath}`,
      `--pkey=${tls.keyPath}`,
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitForTcp(port, () => child.exitCode !== null, () => output);
    await waitForTcp(tlsPort, () => child.exitCode !== null, () => output);
  } catch (error) {
    killOnExit();
    throw error;
  }
  return {
    port,
    tlsPort,
    secret,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', killOnExit);
        // A process ended by a signal has no exit code, only a signal code: stopping it twice must not wait forever.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** TURN REST credentials as coturn checks them: username "<expiry>:<tag>", credential base64 HMAC-SHA1(secret, username). */
export function mintRelay(secret: string, uris: string[], ttlS = 600): CallRelay {
  const username = `${Math.floor(Date.now() / 1000) + ttlS}:${randomBytes(8).toString('hex')}`;
  return { username, credential: turnPassword(secret, username), uris };
}

export interface CuttingProxy {
  port: number;
  /** Client flows seen so far (a new source port is a new flow). */
  flows(): number;
  stop(): Promise<void>;
}

/**
 * A UDP forwarder in front of coturn that silently drops every packet of a flow from `cutAfterMs` after its first
 * one, both ways, while new flows pass: what a censor's per-flow timer does. No reset, no ICMP: the flow just stops.
 */
export async function startCuttingProxy(targetPort: number, cutAfterMs: number): Promise<CuttingProxy> {
  const front = createSocket('udp4');
  const flows = new Map<string, { upstream: Socket; startedAt: number }>();
  const cut = (flow: { startedAt: number }): boolean => Date.now() - flow.startedAt >= cutAfterMs;
  front.on('message', (message: Buffer, client: RemoteInfo) => {
    const key = `${client.address}|${client.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const upstream = createSocket('udp4');
      const created = { upstream, startedAt: Date.now() };
      upstream.on('message', (reply: Buffer) => {
        if (!cut(created)) front.send(reply, client.port, client.address);
      });
      upstream.bind(0, '127.0.0.1');
      flows.set(key, created);
      flow = created;
    }
    if (!cut(flow)) flow.upstream.send(message, targetPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    flows: () => flows.size,
    stop: async () => {
      for (const { upstream } of flows.values()) upstream.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
