// The loss prober's contract, asserted the same way in each browser: a clean STUN server reads no loss, and one that makes every other exchange wait for a retransmission reads exactly those losses.
import { expect } from 'vitest';
import type { IceTarget } from '../../src/core/catalog';
import type { LossResult } from '../../src/core/report';
import { startStunResponder } from '../support/servers';

type AskLoss = (request: { type: 'probeLoss'; target: IceTarget; exchanges: number; deadlineMs: number }) => Promise<{ result: LossResult }>;

/**
 * `exchanges` should fill whole connections of the browser's prober, so each connection has clean answers to judge the
 * delayed ones by; `firstStepMs` is the browser's first retransmission, which the delayed burst must have waited for.
 */
export async function expectLossCounted(ask: AskLoss, { exchanges, firstStepMs }: { exchanges: number; firstStepMs: number }): Promise<void> {
  const probe = (port: number) => ask({ type: 'probeLoss', deadlineMs: 1500, exchanges, target: { id: 'loss', url: `stun:127.0.0.1:${port}`, source: 'https://example.org/test' } });
  // One transaction counts per exchange and address family: a browser may bind several sockets per exchange
  // (Chrome here: loopback and eth0, both IPv4) and the first answer among them is the exchange's.
  const clean = await startStunResponder(undefined, '127.0.0.1', { reflectPort: true });
  try {
    const { result } = await probe(clean.port);
    expect(result).toMatchObject({ exchanges, answered: exchanges, sent: exchanges, lost: 0 });
  } finally {
    await clean.stop();
  }
  // A server that ignores the first transmission from every socket but the first one it hears from, and
  // from that one for every other exchange: those exchanges are answered only at their first retransmission.
  let delayed = 0;
  let primary: string | undefined;
  const drop = ({ address, index, transmission }: { address: string; index: number; transmission: number }): boolean => {
    primary ??= address;
    if (transmission !== 1) return false;
    if (address !== primary) return true;
    if (index % 2 === 0) return false;
    delayed += 1;
    return true;
  };
  const lossy = await startStunResponder(undefined, '127.0.0.1', { drop, reflectPort: true });
  try {
    const { result } = await probe(lossy.port);
    expect(delayed).toBe(exchanges / 2);
    expect(result).toMatchObject({ exchanges, answered: exchanges, sent: exchanges + delayed, lost: delayed });
    expect(result.ms).toBeGreaterThanOrEqual(firstStepMs);
  } finally {
    await lossy.stop();
  }
}
