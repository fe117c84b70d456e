// The path probers' contract, asserted the same way in each browser: a clean STUN or TURN server reads no loss, one that makes every other exchange wait for a retransmission reads exactly those losses, and RTT to a TURN server is one round trip.
import { expect } from 'vitest';
import type { IceTarget } from '../../src/core/catalog';
import type { LossResult, RttResult } from '../../src/core/report';
import { startStunResponder, startTurnResponder, type AllocateSeen } from '../../tools/servers';

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
  // On a loaded machine a browser's sections can start further apart than its first retransmission step (Firefox:
  // 100 ms); the prober then withholds the count (sent 0: no figure), never a wrong one (CI, 2026-12-07). Such a run
  // is tried once more with a fresh responder; a count, when there is one, must be exact.
  for (let attempt = 1; ; attempt += 1) {
    delayed = 0;
    primary = undefined;
    const lossy = await startStunResponder(undefined, '127.0.0.1', { drop, reflectPort: true });
    try {
      const { result } = await probe(lossy.port);
      if (result.sent === 0 && result.lost === 0 && attempt === 1) continue;
      expect(delayed).toBe(exchanges / 2);
      expect(result).toMatchObject({ exchanges, answered: exchanges, sent: exchanges + delayed, lost: delayed });
      expect(result.ms).toBeGreaterThanOrEqual(firstStepMs);
      return;
    } finally {
      await lossy.stop();
    }
  }
}

type AskRtt = (request: { type: 'probeRtt'; target: IceTarget; samples: number; deadlineMs: number }) => Promise<{ result: RttResult }>;

/**
 * RTT to a turn: UDP server, as each browser measures it: coturn on loopback answers in well under a millisecond;
 * a responder that holds every answer `delayMs` plays a path with that round trip, and the probe must read one
 * round trip, not the two a 401 costs (nor Chrome's relay step before the first Allocate).
 */
export async function expectTurnRtt(ask: AskRtt, { coturnPort }: { coturnPort: number }): Promise<void> {
  const probe = async (port: number) =>
    (await ask({ type: 'probeRtt', deadlineMs: 3000, samples: 5, target: { id: 'turn', url: `turn:127.0.0.1:${port}?transport=udp`, source: 'https://example.org/test' } })).result;
  const local = await probe(coturnPort);
  expect(local.samples.length).toBeGreaterThanOrEqual(4);
  expect(local.medianMs).toBeLessThan(30);
  const delayMs = 60;
  const slow = await startTurnResponder('127.0.0.1', { delayMs });
  try {
    const result = await probe(slow.port);
    console.info(`RTT to a TURN responder answering after ${delayMs} ms: samples ${result.samples.join(', ')}`);
    expect(result.samples.length).toBeGreaterThanOrEqual(4);
    // Two Allocates per socket: the first 401 carries the nonce, the retry with credentials gets the second. On a
    // loaded machine an answer can come after Firefox's 100 ms retransmission (one more seen in CI, 2026-12-07).
    expect(slow.received()).toBeGreaterThanOrEqual(2 * slow.sockets());
    expect(slow.received()).toBeLessThanOrEqual(3 * slow.sockets());
    expect(result.medianMs).toBeGreaterThanOrEqual(delayMs - 5);
    expect(result.medianMs).toBeLessThanOrEqual(delayMs + 20);
    expect(result.jitterMs).toBeLessThan(20);
  } finally {
    await slow.stop();
  }
}

/**
 * The loss burst over TURN (Chrome): coturn reads no loss; a responder that ignores the first Allocate of every
 * other socket makes those exchanges wait for Chrome's first retransmission, read as one lost send each. As for
 * STUN, the sockets of a second network (not the first address heard from) are always made late, so only each
 * section's first answer counts.
 */
export async function expectTurnLossCounted(ask: AskLoss, { exchanges, coturnPort, firstStepMs }: { exchanges: number; coturnPort: number; firstStepMs: number }): Promise<void> {
  const probe = (port: number) => ask({ type: 'probeLoss', deadlineMs: 1500, exchanges, target: { id: 'loss', url: `turn:127.0.0.1:${port}?transport=udp`, source: 'https://example.org/test' } });
  const { result: clean } = await probe(coturnPort);
  expect(clean).toMatchObject({ exchanges, answered: exchanges, sent: 2 * exchanges, lost: 0 });
  let delayed = 0;
  let primary: string | undefined;
  const drop = ({ address, index, attempt, transmission }: AllocateSeen): boolean => {
    primary ??= address;
    if (attempt !== 1 || transmission !== 1) return false;
    if (address !== primary) return true;
    if (index % 2 === 0) return false;
    delayed += 1;
    return true;
  };
  const lossy = await startTurnResponder('127.0.0.1', { drop });
  try {
    const { result } = await probe(lossy.port);
    expect(delayed).toBe(exchanges / 2);
    expect(result).toMatchObject({ exchanges, answered: exchanges, sent: 2 * exchanges + delayed, lost: delayed });
    expect(result.ms).toBeGreaterThanOrEqual(firstStepMs);
  } finally {
    await lossy.stop();
  }
}
