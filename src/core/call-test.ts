// The sustained call test, pure part: from the packets a relay-only loopback sent and received, per direction loss,
// jitter, stalls and the moment a flow died, and the plain judgement of the call path to our relay.
import type { Transport } from './ice-url';
import type { CallDirection, CallTest } from './call-test-result';
import { round, roundMs } from './stats';

/** Voice rate and size: one 160-byte packet every 20 ms each way, as G.711 at 20 ms packetisation. */
export const CALL_PACKET_BYTES = 160;
export const CALL_PACKET_INTERVAL_MS = 20;

/**
 * How long each kind of test sends. The quick window fits a check's budget (quick-call.ts says why 1.5 s); the full
 * one is what the popup runs.
 */
export const CALL_TEST_DURATION_MS = { quick: 1_500, full: 15_000 } as const;
export type CallTestDuration = keyof typeof CALL_TEST_DURATION_MS;

/** Fewer packets sent than this give no loss figure (as MIN_LOSS_PROBES for STUN bursts in quality.ts). */
export const MIN_CALL_PACKETS = 10;
/** A gap between arrivals this long is a stall a person hears as audio cutting out (a jitter buffer holds ~200 ms). */
export const STALL_MS = 300;
/**
 * No packet for this long, while the sender kept sending until the end, is a flow that died rather than stalled.
 * A censor's cut is silent and permanent (blocking-2025-26.md: no reset, the flow just stops).
 */
export const DEAD_MS = 2_000;
/** Loss from which a call breaks up (one packet in ten is heard as words cut), and a stall count that freezes it. */
export const BREAKS_UP_LOSS_PCT = 10;
export const FREEZES_STALLS = 3;

/** One packet that arrived: its sequence number, the sender's clock when sent, ours on arrival (ms after the flow started). */
export interface ArrivedPacket {
  seq: number;
  sentMs: number;
  receivedMs: number;
}

/**
 * One direction of the loopback as the prober saw it. Both peers run in one page, so send and arrival times share
 * one clock. Sequence numbers run 0 … sent-1.
 */
export interface DirectionRecord {
  sent: number;
  /** When the last packet was sent, ms after the flow started; undefined if none was. */
  lastSentMs?: number;
  /** In arrival order. */
  arrived: ArrivedPacket[];
}

/** Analyses one direction up to `endMs` (ms after the flow started, the last moment anything could still arrive). */
export function analyseDirection(record: DirectionRecord, endMs: number): CallDirection {
  const seen = new Set<number>();
  const arrived = record.arrived.filter((packet) => {
    if (packet.seq < 0 || packet.seq >= record.sent || seen.has(packet.seq)) return false;
    seen.add(packet.seq);
    return true;
  });
  const last = arrived.reduce<ArrivedPacket | undefined>((latest, p) => (latest && latest.receivedMs >= p.receivedMs ? latest : p), undefined);
  // A flow that never carried a packet while the sender sent for DEAD_MS died at its start.
  const lastSent = record.lastSentMs;
  const died =
    lastSent !== undefined &&
    (last === undefined ? lastSent >= DEAD_MS : endMs - last.receivedMs >= DEAD_MS && lastSent - last.sentMs >= DEAD_MS);

  const gaps: number[] = [];
  for (let i = 1; i < arrived.length; i++) gaps.push((arrived[i]?.receivedMs ?? 0) - (arrived[i - 1]?.receivedMs ?? 0));
  const longestGap = gaps.length > 0 ? Math.max(...gaps) : undefined;

  return {
    sent: record.sent,
    received: arrived.length,
    ...lossOf(record, arrived),
    ...(arrived.length >= 2 ? { jitterMs: round(rfc3550Jitter(arrived), 1) } : {}),
    stalls: gaps.filter((gap) => gap >= STALL_MS).length,
    ...(longestGap === undefined ? {} : { longestGapMs: roundMs(longestGap) }),
    ...(died ? { diedAtMs: roundMs(last?.sentMs ?? 0) } : {}),
  };
}

/** Loss among the packets sent up to the last one that arrived: the rest belong to the flow's death (or to nothing arriving). */
function lossOf(record: DirectionRecord, arrived: readonly ArrivedPacket[]): { lossPct?: number } {
  if (record.sent < MIN_CALL_PACKETS) return {};
  if (arrived.length === 0) return { lossPct: 100 };
  const highest = Math.max(...arrived.map((p) => p.seq));
  const due = highest + 1;
  if (due < MIN_CALL_PACKETS) return {};
  return { lossPct: round(((due - arrived.length) / due) * 100, 1) };
}

/** J += (|D| − J) / 16 over consecutive arrivals, D the difference of their transit times (RFC 3550 §6.4.1, A.8). */
function rfc3550Jitter(arrived: readonly ArrivedPacket[]): number {
  let jitter = 0;
  for (let i = 1; i < arrived.length; i++) {
    const previous = arrived[i - 1];
    const current = arrived[i];
    if (!previous || !current) continue;
    const d = current.receivedMs - current.sentMs - (previous.receivedMs - previous.sentMs);
    jitter += (Math.abs(d) - jitter) / 16;
  }
  return jitter;
}

/** What the test means for a call through our relay, in the words the popup uses. */
export type CallTestOutcome =
  /** No transport gave a relay path (UDP, TLS and TCP all tried). */
  | { kind: 'no-path' }
  /**
   * The relay answered on `transports`, yet the call never connected there: its set-up kept being lost or was cut.
   * `then` is what the transport a call did connect on afterwards showed, if any.
   */
  | { kind: 'handshake-lost'; transports: Transport[]; then?: CallTestOutcome }
  /** A flow died while the relay still answered on a new flow: something cut the call. */
  | { kind: 'drops'; afterS: number }
  /** A flow died and the relay no longer answered at all: the connection (or the relay) went away. */
  | { kind: 'lost'; afterS: number }
  | { kind: 'breaks-up'; lossPct: number; direction: 'outgoing' | 'incoming' }
  | { kind: 'freezes'; stalls: number }
  | { kind: 'stays-up'; lossPct?: number; transport: Transport };

/**
 * The judgement, most serious first. Always about the call path to OUR relay: a censor may treat our addresses
 * differently from an app's, so this never says an app's calls will work.
 */
export function judgeCallTest(test: CallTest): CallTestOutcome {
  const { transport, outgoing, incoming } = test;
  // Calls go over UDP first: one that cannot even set up there comes first, with how the fallback fared after it.
  const lost = test.handshakeLost ?? [];
  if (lost.length > 0) {
    return { kind: 'handshake-lost', transports: lost, ...(transport !== undefined ? { then: judgeCallTest({ ...test, handshakeLost: undefined }) } : {}) };
  }
  if (transport === undefined) return { kind: 'no-path' };
  const directions = [outgoing, incoming].filter((d): d is CallDirection => d !== undefined);
  const deaths = directions.map((d) => d.diedAtMs).filter((ms): ms is number => ms !== undefined);
  if (deaths.length > 0) {
    const afterS = round(Math.min(...deaths) / 1000, 1);
    // Unmeasured control: a silent cut is what a censor does and what the test exists to show, so it reads as one.
    return test.control === 'dead' ? { kind: 'lost', afterS } : { kind: 'drops', afterS };
  }
  const worst = worstLoss(outgoing, incoming);
  if (worst && worst.lossPct >= BREAKS_UP_LOSS_PCT) return { kind: 'breaks-up', ...worst };
  const stalls = Math.max(0, ...directions.map((d) => d.stalls));
  if (stalls >= FREEZES_STALLS) return { kind: 'freezes', stalls };
  return { kind: 'stays-up', transport, ...(worst ? { lossPct: worst.lossPct } : {}) };
}

function worstLoss(outgoing?: CallDirection, incoming?: CallDirection): { lossPct: number; direction: 'outgoing' | 'incoming' } | undefined {
  const out = outgoing?.lossPct;
  const inc = incoming?.lossPct;
  if (out === undefined && inc === undefined) return undefined;
  if (inc === undefined || (out !== undefined && out >= inc)) return { lossPct: out ?? 0, direction: 'outgoing' };
  return { lossPct: inc, direction: 'incoming' };
}

/** The live figure while the test runs: seconds done and the loss so far (absent until there is one). */
export interface CallTestProgress {
  elapsedMs: number;
  durationMs: number;
  transport?: Transport;
  lossPct?: number;
}

/** Progress from the records so far, the worse direction's loss. */
export function liveProgress(
  records: { outgoing: DirectionRecord; incoming: DirectionRecord },
  elapsedMs: number,
  durationMs: number,
  transport: Transport,
): CallTestProgress {
  const worst = worstLoss(analyseDirection(records.outgoing, elapsedMs), analyseDirection(records.incoming, elapsedMs));
  return { elapsedMs: roundMs(elapsedMs), durationMs, transport, ...(worst ? { lossPct: worst.lossPct } : {}) };
}
