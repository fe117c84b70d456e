// On a developer machine with no relay configured: a local coturn on loopback next to the collector, with a fresh secret per run.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { RelayConfig } from './config';
import { findTurnserver, runCoturn, type RunningCoturn } from './coturn';
import { errorText } from '../core/error-text';

export const LOCAL_RELAY_HOST = '127.0.0.1';
const PREFERRED_PORT = 3478;

/** 3478 when it is free on loopback (TCP; coturn takes UDP and TCP together), else any free port. */
function loopbackPort(preferred: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = (port: number) => {
      const probe = createServer();
      probe.once('error', () => (port === 0 ? reject(new Error('no free port on loopback')) : attempt(0)));
      probe.listen(port, LOCAL_RELAY_HOST, () => {
        const address = probe.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        probe.close(() => resolve(chosen));
      });
    };
    attempt(preferred);
  });
}

export type LocalRelay = { relay: RelayConfig; coturn: RunningCoturn } | { relay: null; reason: string };

/** Starts the local relay, or says why there is none (turnserver missing, or it failed to start). */
export async function startLocalRelay(env: Readonly<Record<string, string | undefined>> = process.env): Promise<LocalRelay> {
  const binary = findTurnserver(env);
  if (binary === undefined) return { relay: null, reason: 'turnserver (Debian package coturn) is not installed' };
  const secret = randomBytes(32).toString('hex');
  try {
    const port = await loopbackPort(PREFERRED_PORT);
    const coturn = await runCoturn(binary, {
      secret,
      realm: 'canicall.local',
      listenIps: [LOCAL_RELAY_HOST],
      port,
      tlsPort: null,
      // The browser's two peers in the call test are both on this machine.
      allowLoopbackPeers: true,
    });
    return { relay: { secret, host: LOCAL_RELAY_HOST, port, tlsPort: null, ttlSeconds: 600, reflectorPorts: [] }, coturn };
  } catch (error) {
    return { relay: null, reason: errorText(error).slice(0, 500) };
  }
}
