// For the call test's browser tests, beside the real relay (tools/test-relay.ts): credentials minted as the collector
// mints them, and a UDP middlebox that cuts each flow some time after its first packet.
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { turnPassword } from '../../src/collector/turn-credentials';
import type { CallRelay } from '../../src/core/call-relay';

/** TURN REST credentials as coturn checks them: username "<expiry>:<tag>", credential base64 HMAC-SHA1(secret, username). */
export function mintRelay(secret: string, uris: string[], ttlS = 600): CallRelay {
  const username = `${Math.floor(Date.now() / 1000) + ttlS}:${randomBytes(8).toString('hex')}`;
  return { username, credential: turnPassword(secret, username), uris };
}

export interface CuttingProxy {
  port: number;
  /** Client flows seen so far (a new source port is a new flow). */
  flows(): number;
  /** When each flow began (its first packet, Date.now()), in order. */
  flowStarts(): number[];
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
    flowStarts: () => [...flows.values()].map((flow) => flow.startedAt),
    stop: async () => {
      for (const { upstream } of flows.values()) upstream.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
