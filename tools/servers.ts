// Local servers the e2e and benchmark runs probe: HTTPS in its failure modes, a STUN responder, silent and closed ports, and a real coturn.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, Socket as TcpSocket, type Server, type Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertPair } from './pki';

export interface Stoppable {
  port: number;
  stop(): Promise<void>;
}

function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('server has no port'));
    });
  });
}

function closer(server: Server, sockets: Set<NetSocket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function track(server: Server): Set<NetSocket> {
  const sockets = new Set<NetSocket>();
  server.on('connection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that resets the connection (as browsers do after a failed handshake) must not crash the test run.
    socket.on('error', () => undefined);
  });
  server.on('secureConnection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

export type HttpsBehaviour = 'ok' | 'hang' | 'redirect';

/** An HTTPS server; `behaviour` decides what it does once a request arrives. */
export async function startHttps(pair: CertPair, behaviour: HttpsBehaviour, host = '127.0.0.1'): Promise<Stoppable> {
  const server = createHttpsServer({ cert: pair.cert, key: pair.key }, (_req, res) => {
    switch (behaviour) {
      case 'ok':
        res.writeHead(204, { 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end();
        return;
      case 'redirect':
        res.writeHead(302, { location: 'https://portal.invalid/login' }).end();
        return;
      case 'hang':
        return;
      default: {
        const unknown: never = behaviour;
        throw new Error(`unknown behaviour ${String(unknown)}`);
      }
    }
  });
  const sockets = track(server);
  const port = await listen(server, host);
  return { port, stop: closer(server, sockets) };
}

/** A TCP port that answers the first bytes (a TLS ClientHello) with a RST, as SNI-filtering middleboxes do: connection_reset. */
export async function startResetAfterHello(): Promise<Stoppable> {
  const server = createNetServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  const sockets = track(server);
  const port = await listen(server);
  return { port, stop: closer(server, sockets) };
}

/** A TCP port that accepts connections and sends bytes that are not TLS: ssl_failed_handshake for https. */
export async function startNotTls(): Promise<Stoppable> {
  const server = createNetServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\nnot tls\r\n'));
  const sockets = track(server);
  const port = await listen(server);
  return { port, stop: closer(server, sockets) };
}

/** A free TCP port with nothing listening: connection_refused. */
export async function closedTcpPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A UDP socket on `host`, on `port` when given (a fixed port, e.g. an app's call port), else a free one. */
function udp(host = '127.0.0.1', port = 0): Promise<{ socket: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => resolve({ socket, port: socket.address().port }));
  });
}

/** A UDP port that swallows every datagram: what a silently filtering network looks like. */
export async function startSilentUdp(): Promise<Stoppable & { received(): number }> {
  const { socket, port } = await udp();
  let count = 0;
  socket.on('message', () => {
    count += 1;
  });
  return { port, received: () => count, stop: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** Connects to 127.0.0.1:`port`, or gives up (destroying the socket) after `withinMs`: whether the handshake completed. */
function tcpConnects(port: number, withinMs: number, keep: NetSocket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new TcpSocket();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, withinMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      keep.push(socket);
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * A TCP port that never answers a SYN, with no RST either: what a network silently dropping a server looks like. A
 * child process listens with a backlog of 1 and is stopped (SIGSTOP) before it accepts anything; connections of ours
 * fill its accept queue, and the kernel then drops every further SYN. Loopback only, nothing to configure.
 */
export async function startSilentTcp(): Promise<Stoppable> {
  const script = "const s = require('node:net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port));";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A stopped child outlives a test run that dies: killed when this process exits, whatever the cause.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const fillers: NetSocket[] = [];
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', () => reject(new Error('the silent TCP listener exited')));
    });
    child.kill('SIGSTOP');
    // The queue holds backlog + 1; a few more than that, until one no longer completes.
    let filled = false;
    for (let i = 0; i < 8 && !filled; i += 1) filled = !(await tcpConnects(port, 300, fillers));
    if (!filled) throw new Error(`port ${port} kept completing handshakes: could not make it silent`);
    return { port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const MAGIC_COOKIE = 0x2112a442;

/**
 * A minimal STUN responder (RFC 5389 Binding success with XOR-MAPPED-ADDRESS). It reports `mapped` as the client's
 * address, so the browser sees a server-reflexive candidate distinct from its host address, as behind a NAT.
 * `mapped` is only data in the answer; no traffic goes to it. `drop` ignores chosen transmissions (a transaction's
 * index counts from 0 in order of arrival among those from the same source address, its transmissions from 1), so
 * an answer needs exactly that many retransmissions.
 * `reflectPort` answers with the client's own port, so each socket gets its own srflx candidate (a browser drops a
 * second candidate with an address it already has). `port` listens on that port rather than a free one.
 */
export async function startStunResponder(
  mapped = { ip: '203.0.113.7', port: 40000 },
  host = '127.0.0.1',
  {
    drop,
    reflectPort = false,
    port: fixedPort,
  }: { drop?: (seen: { address: string; index: number; transmission: number }) => boolean; reflectPort?: boolean; port?: number } = {},
): Promise<Stoppable & { received(): number }> {
  const { socket, port } = await udp(host, fixedPort);
  let count = 0;
  // Per transaction id: its order of arrival from its address and the transmissions seen, for `drop` to play a lossy path.
  const seen = new Map<string, { index: number; transmissions: number }>();
  const fromAddress = new Map<string, number>();
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001 || msg.readUInt32BE(4) !== MAGIC_COOKIE) return;
    count += 1;
    const id = msg.subarray(8, 20).toString('hex');
    let transaction = seen.get(id);
    if (transaction === undefined) {
      const index = fromAddress.get(rinfo.address) ?? 0;
      fromAddress.set(rinfo.address, index + 1);
      transaction = { index, transmissions: 0 };
      seen.set(id, transaction);
    }
    transaction.transmissions += 1;
    if (drop?.({ address: rinfo.address, index: transaction.index, transmission: transaction.transmissions }) === true) return;
    const attr = Buffer.alloc(12);
    attr.writeUInt16BE(0x0020, 0); // XOR-MAPPED-ADDRESS
    attr.writeUInt16BE(8, 2);
    attr.writeUInt8(0x01, 5); // IPv4
    attr.writeUInt16BE((reflectPort ? rinfo.port : mapped.port) ^ (MAGIC_COOKIE >>> 16), 6);
    const ip = mapped.ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
    attr.writeUInt32BE((ip ^ MAGIC_COOKIE) >>> 0, 8);
    const header = Buffer.alloc(20);
    header.writeUInt16BE(0x0101, 0);
    header.writeUInt16BE(attr.length, 2);
    msg.copy(header, 4, 4, 20); // cookie + transaction id
    socket.send(Buffer.concat([header, attr]), rinfo.port, rinfo.address);
  });
  return { port, received: () => count, stop: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** STUN attributes (RFC 5389 §15, RFC 5766 §14) the TURN responder reads or writes. */
const ATTR = { username: 0x0006, messageIntegrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015 } as const;

function stunAttribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function hasAttribute(msg: Buffer, type: number): boolean {
  for (let at = 20; at + 4 <= msg.length; ) {
    if (msg.readUInt16BE(at) === type) return true;
    at += 4 + Math.ceil(msg.readUInt16BE(at + 2) / 4) * 4;
  }
  return false;
}

/** One Allocate transmission as the TURN responder saw it, for `drop` to play a lossy path. */
export interface AllocateSeen {
  address: string;
  /** The order of this transaction's socket (source port) among those heard from at the same address, from 0. */
  index: number;
  /** 1 for the first Allocate of an allocation, 2 for the browser's retry with credentials after the first 401. */
  attempt: 1 | 2;
  /** This transmission of the transaction, from 1 (2 and up are retransmissions). */
  transmission: number;
}

/**
 * A UDP TURN server that refuses every Allocate with 401 Unauthorized (RFC 5766 §6.2, RFC 5389 §10.2): the first
 * with REALM and NONCE, so the browser retries with its (dummy) credentials, and the retry again, which the
 * browser reports as icecandidateerror 401. That is what a call app's relay answers a probe with, while this
 * responder can delay its answers (`delayMs`, a path's round trip) or ignore chosen transmissions (`drop`).
 * Binding requests are ignored, so the browser gets no srflx from it.
 */
export async function startTurnResponder(
  host = '127.0.0.1',
  { drop, delayMs = 0 }: { drop?: (seen: AllocateSeen) => boolean; delayMs?: number } = {},
): Promise<Stoppable & { received(): number; sockets(): number }> {
  const { socket, port } = await udp(host);
  let count = 0;
  const sockets = new Map<string, number>();
  const fromAddress = new Map<string, number>();
  const transactions = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  socket.on('message', (msg, rinfo) => {
    // Allocate request (method 0x003, class request), RFC 5766 §13.
    if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0003 || msg.readUInt32BE(4) !== MAGIC_COOKIE) return;
    count += 1;
    const source = `${rinfo.address}|${rinfo.port}`;
    if (!sockets.has(source)) {
      const index = fromAddress.get(rinfo.address) ?? 0;
      fromAddress.set(rinfo.address, index + 1);
      sockets.set(source, index);
    }
    const id = msg.subarray(8, 20).toString('hex');
    const transmission = (transactions.get(id) ?? 0) + 1;
    transactions.set(id, transmission);
    const attempt = hasAttribute(msg, ATTR.messageIntegrity) || hasAttribute(msg, ATTR.username) ? 2 : 1;
    if (drop?.({ address: rinfo.address, index: sockets.get(source) ?? 0, attempt, transmission }) === true) return;
    const reason = Buffer.from('Unauthorized');
    const errorCode = Buffer.concat([Buffer.from([0, 0, 4, 1]), reason]); // class 4, number 01
    const body = Buffer.concat([
      stunAttribute(ATTR.errorCode, errorCode),
      stunAttribute(ATTR.realm, Buffer.from('canicall.test')),
      stunAttribute(ATTR.nonce, Buffer.from(`nonce-${id}`)),
    ]);
    const header = Buffer.alloc(20);
    header.writeUInt16BE(0x0113, 0); // Allocate error response
    header.writeUInt16BE(body.length, 2);
    msg.copy(header, 4, 4, 20);
    const send = (): void => socket.send(Buffer.concat([header, body]), rinfo.port, rinfo.address);
    if (delayMs <= 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delayMs);
    timers.add(timer);
  });
  return {
    port,
    received: () => count,
    sockets: () => sockets.size,
    stop: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        socket.close(() => resolve());
      }),
  };
}

export interface Coturn {
  /** UDP and TCP TURN/STUN port. */
  port: number;
  /** TLS TURN port. */
  tlsPort: number;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error(`coturn exited with ${child.exitCode}:\n${log()}`);
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

/**
 * Debian's coturn on `listenIp`, on free UDP/TCP and TLS ports, with `auth` (its authentication flags); answers once
 * both ports are open. The call test's relay (test/e2e/call-relay.ts) is this with the TURN REST API.
 */
export async function runCoturn(tls: CertPair, auth: string[], listenIp = '127.0.0.1'): Promise<Coturn> {
  const binary = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';
  if (!existsSync(binary)) throw new Error(`coturn not found at ${binary}. Install it with "apt-get install coturn".`);
  const port = await closedTcpPort();
  const tlsPort = await closedTcpPort();
  const dir = mkdtempSync(join(tmpdir(), 'coturn-'));
  const child = spawn(
    binary,
    [
      '-n',
      '--no-cli',
      `--listening-ip=${listenIp}`,
      `--relay-ip=${listenIp}`,
      `--listening-port=${port}`,
      `--tls-listening-port=${tlsPort}`,
      '--no-rfc5780',
      '--no-dtls',
      ...auth,
      '--realm=canicall.test',
      `--cert=${tls.certPath}`,
      `--pkey=${tls.keyPath}`,
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A test process that dies without its teardown (a crash, a killed run) must not leave coturn behind.
  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await waitForPort(port, child, () => output);
    await waitForPort(tlsPort, child, () => output);
  } catch (error) {
    killOnExit();
    throw error;
  }
  return {
    port,
    tlsPort,
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

/** Coturn with long-term credentials, so dummy credentials get 401 over UDP, TCP and TLS. */
export function startCoturn(tls: CertPair, listenIp = '127.0.0.1'): Promise<Coturn> {
  return runCoturn(tls, ['--lt-cred-mech', '--user=canicall:secret'], listenIp);
}

/** What a DoH fixture says about a name: its addresses, or that it does not exist. */
export type DohAnswers = Record<string, string[] | 'nxdomain'>;

/** A DoH JSON resolver (the dns.google/resolve shape) that knows only `answers`; other names are NXDOMAIN. */
export async function startDoh(pair: CertPair, answers: DohAnswers): Promise<Stoppable & { asked(): string[] }> {
  const asked: string[] = [];
  const server = createHttpsServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://doh.invalid');
    const name = (url.searchParams.get('name') ?? '').toLowerCase().replace(/\.$/, '');
    asked.push(name);
    const answer = answers[name] ?? 'nxdomain';
    const body =
      answer === 'nxdomain'
        ? { Status: 3, Question: [{ name, type: 1 }] }
        : { Status: 0, Question: [{ name, type: 1 }], Answer: answer.map((data) => ({ name, type: 1, TTL: 60, data })) };
    res.writeHead(200, { 'content-type': 'application/dns-json', 'access-control-allow-origin': '*' }).end(JSON.stringify(body));
  });
  const sockets = track(server);
  const port = await listen(server);
  return { port, asked: () => [...asked], stop: closer(server, sockets) };
}
