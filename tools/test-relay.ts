// Starts a real coturn with the TURN REST API (use-auth-secret) on free loopback ports, the way the collector's relay runs: for tests and the bench.
import { randomBytes } from 'node:crypto';
import type { RelayConfig } from '../src/collector/config';
import { findTurnserver, runCoturn, type RunningCoturn } from '../src/collector/coturn';
import type { CertPair } from './pki';
import { closedTcpPort } from './servers';

export interface TestRelay {
  /** What the collector needs: pass it to createApp({ relay }) or, for a collector process, use relayEnv(). */
  relay: RelayConfig;
  /** TURN over UDP and TCP on relay.host. */
  port: number;
  /** TURN over TLS, when a certificate was given. */
  tlsPort: number | null;
  /** The reflector ports: each answers STUN Binding (a stun-only coturn per port, as nftables redirects do in production). */
  reflectorPorts: number[];
  stop(): Promise<void>;
}

export interface TestRelayOptions {
  /** Default 127.0.0.1; a namespace test passes its 198.18.0.0/15 address. */
  listenIp?: string;
  /** Adds a TLS listener (turns:) with this certificate. */
  tls?: CertPair;
  /** Reflector ports to open; 0 picks a free one. Default none. */
  reflectorPorts?: number[];
  ttlSeconds?: number;
  /** Default: a fresh random secret. */
  secret?: string;
}

/**
 * Starts coturn exactly as the collector's relay runs (the same config writer), with loopback
 * peers allowed so a relay-only loopback between two local peer connections works.
 * Throws a clear error when turnserver is not installed.
 */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const binary = findTurnserver();
  if (binary === undefined) throw new Error('coturn (turnserver) not found: install it with "apt-get install coturn" or set TURNSERVER_PATH');
  const host = options.listenIp ?? '127.0.0.1';
  const secret = options.secret ?? randomBytes(24).toString('hex');
  const port = await closedTcpPort();
  const tlsPort = options.tls === undefined ? null : await closedTcpPort();
  const running: RunningCoturn[] = [];
  const stop = async () => {
    await Promise.all(running.map((r) => r.stop()));
  };
  try {
    const common = { secret, realm: 'canicall.test', listenIps: [host], allowLoopbackPeers: true, relayPorts: { min: 49152, max: 65535 } };
    running.push(await runCoturn(binary, { ...common, port, tlsPort, ...(options.tls === undefined ? {} : { tls: options.tls }) }));
    const reflectorPorts: number[] = [];
    for (const wanted of options.reflectorPorts ?? []) {
      const reflectorPort = wanted === 0 ? await closedTcpPort() : wanted;
      running.push(await runCoturn(binary, { ...common, port: reflectorPort, tlsPort: null, stunOnly: true }));
      reflectorPorts.push(reflectorPort);
    }
    return {
      relay: { secret, host, port, tlsPort, ttlSeconds: options.ttlSeconds ?? 600, reflectorPorts },
      port,
      tlsPort,
      reflectorPorts,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The collector's environment variables for this relay (for a test that starts the collector as a process). */
export function relayEnv(relay: RelayConfig): Record<string, string> {
  return {
    CIC_TURN_SECRET: relay.secret,
    CIC_TURN_HOST: relay.host,
    CIC_TURN_PORT: String(relay.port),
    CIC_TURN_TLS_PORT: String(relay.tlsPort ?? 0),
    CIC_TURN_TTL: String(relay.ttlSeconds),
    CIC_REFLECTOR_PORTS: relay.reflectorPorts.join(','),
    CIC_LOCAL_RELAY: '0',
  };
}
