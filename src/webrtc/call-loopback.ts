// The sustained call test: two relay-only peer connections through our relay, voice-sized packets at voice rate each
// way over an unordered, never-retransmitted data channel. Candidates and addresses never leave this module.
import {
  CALL_PACKET_BYTES,
  CALL_PACKET_INTERVAL_MS,
  analyseDirection,
  liveProgress,
  type CallTestProgress,
  type DirectionRecord,
} from '../core/call-test';
import type { CallDirection, CallTest } from '../core/call-test-result';
import { relayAttempts, type CallRelay } from '../core/call-relay';
import type { Transport } from '../core/ice-url';
import { roundMs } from '../core/stats';
import type { QuickCallWindow } from '../core/quick-call';
import { openPeerConnection } from './peer-connections';

/** A relay path that has not connected in this long will not: TURN allocation plus ICE plus DTLS take a few RTTs. */
const CONNECT_DEADLINE_MS = 6_000;
/**
 * Once the relay has allocated (a relay candidate came), the transport works and only loss delays the rest: DTLS
 * retransmits a lost flight after 1 s, then 2 s, 4 s, 8 s (tries at 0, 1, 3, 7 and 15 s). With 20 % loss upstream, 1
 * of 5 lab tests needed more than 6 s, and one CI run more than 15 s (connect times seen: 0.2-2.2 s, 8.6 s); falling
 * back to TCP then hid the loss the test exists to see. So an allocated path gets a fifth try, and if even that is
 * lost the result says so (`handshakeLost`) instead of only what the next transport did.
 */
const CONNECT_DEADLINE_ALLOCATED_MS = 25_000;
/** After the last packet is sent, how long to wait for stragglers before counting. */
const DRAIN_MS = 500;
/** How long a fresh allocation may take to prove the relay still answers this network. */
const CONTROL_DEADLINE_MS = 3_000;
const PROGRESS_EVERY_MS = 500;

type Closable = { pc: RTCPeerConnection; close(): void };

interface Pair {
  caller: Closable;
  callee: Closable;
  /** The caller's channel sends "outgoing" packets; the callee's sends "incoming" ones. */
  callerChannel: RTCDataChannel;
  calleeChannel: RTCDataChannel;
  close(): void;
}

function relayConfig(relay: CallRelay, url: string): RTCConfiguration {
  return { iceServers: [{ urls: url, username: relay.username, credential: relay.credential }], iceTransportPolicy: 'relay' };
}

function channelOf(pc: RTCPeerConnection): RTCDataChannel {
  // Negotiated on both sides with the same id: no in-band open to wait for, no ondatachannel race.
  const channel = pc.createDataChannel('call', { ordered: false, maxRetransmits: 0, negotiated: true, id: 0 });
  channel.binaryType = 'arraybuffer';
  return channel;
}

function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.addEventListener('open', () => resolve(), { once: true });
    channel.addEventListener('close', () => reject(new Error('channel closed')), { once: true });
  });
}

/** A connected pair, or none, and whether the relay allocated on the way (it answered on this transport). */
interface Connecting {
  pair?: Pair;
  allocated: boolean;
}

/**
 * Connects two relay-only peers through `url`, or gives up (closing both) after `deadlineMs`, or `allocatedMs` once
 * the relay has allocated, or as soon as `refused` settles.
 */
async function connectPair(relay: CallRelay, url: string, deadlineMs: number, allocatedMs: number, refused: Promise<false>): Promise<Connecting> {
  const caller = await openPeerConnection(relayConfig(relay, url));
  const callee = await openPeerConnection(relayConfig(relay, url)).catch((error: unknown) => {
    caller.close();
    throw error;
  });
  const callerChannel = channelOf(caller.pc);
  const calleeChannel = channelOf(callee.pc);
  const close = (): void => {
    callerChannel.close();
    calleeChannel.close();
    caller.close();
    callee.close();
  };
  let allocated = false;
  const forward = (to: RTCPeerConnection) => (event: RTCPeerConnectionIceEvent) => {
    if (!event.candidate?.candidate) return;
    // With a relay-only policy every candidate is a relayed one: the relay answered on this transport.
    allocated = true;
    to.addIceCandidate(event.candidate).catch(() => undefined);
  };
  caller.pc.addEventListener('icecandidate', forward(callee.pc));
  callee.pc.addEventListener('icecandidate', forward(caller.pc));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      if (!allocated) return resolve(false);
      timer = setTimeout(() => resolve(false), Math.max(0, allocatedMs - deadlineMs));
    }, deadlineMs);
  });
  const connect = async (): Promise<true> => {
    await caller.pc.setLocalDescription(await caller.pc.createOffer());
    const offer = caller.pc.localDescription;
    if (!offer) throw new Error('no offer');
    await callee.pc.setRemoteDescription(offer);
    await callee.pc.setLocalDescription(await callee.pc.createAnswer());
    const answer = callee.pc.localDescription;
    if (!answer) throw new Error('no answer');
    await caller.pc.setRemoteDescription(answer);
    await Promise.all([opened(callerChannel), opened(calleeChannel)]);
    return true;
  };
  const connected = await Promise.race([connect().catch(() => false as const), deadline, refused]);
  clearTimeout(timer);
  if (connected) return { pair: { caller, callee, callerChannel, calleeChannel, close }, allocated };
  close();
  return { allocated };
}

/** Sends packets both ways every 20 ms for `durationMs`, then waits `drainMs` and hands back what each side saw. */
async function exchange(
  pair: Pair,
  durationMs: number,
  drainMs: number,
  report: (records: { outgoing: DirectionRecord; incoming: DirectionRecord }, elapsedMs: number) => void,
): Promise<{ outgoing: DirectionRecord; incoming: DirectionRecord; endMs: number }> {
  const outgoing: DirectionRecord = { sent: 0, arrived: [] };
  const incoming: DirectionRecord = { sent: 0, arrived: [] };
  const started = performance.now();
  const now = (): number => performance.now() - started;
  const receiveInto = (record: DirectionRecord) => (event: MessageEvent) => {
    if (!(event.data instanceof ArrayBuffer) || event.data.byteLength < 12) return;
    const view = new DataView(event.data);
    record.arrived.push({ seq: view.getUint32(0), sentMs: view.getFloat64(4), receivedMs: now() });
  };
  pair.calleeChannel.addEventListener('message', receiveInto(outgoing));
  pair.callerChannel.addEventListener('message', receiveInto(incoming));

  const send = (channel: RTCDataChannel, record: DirectionRecord): void => {
    const packet = new ArrayBuffer(CALL_PACKET_BYTES);
    const view = new DataView(packet);
    const sentMs = now();
    view.setUint32(0, record.sent);
    view.setFloat64(4, sentMs);
    record.sent += 1;
    record.lastSentMs = sentMs;
    // A channel the relay path no longer carries may close: the packet counts as sent and lost, as a call's would.
    if (channel.readyState === 'open') channel.send(packet);
  };

  await new Promise<void>((resolve) => {
    let lastProgress = 0;
    // Packets are due on a fixed schedule from the start, so a late timer sends the ones it owes instead of drifting.
    const tick = (): void => {
      const elapsed = now();
      const due = Math.min(Math.floor(durationMs / CALL_PACKET_INTERVAL_MS), Math.floor(elapsed / CALL_PACKET_INTERVAL_MS) + 1);
      while (outgoing.sent < due) {
        send(pair.callerChannel, outgoing);
        send(pair.calleeChannel, incoming);
      }
      if (elapsed - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = elapsed;
        report({ outgoing, incoming }, elapsed);
      }
      if (elapsed >= durationMs) {
        clearInterval(interval);
        resolve();
      }
    };
    const interval = setInterval(tick, CALL_PACKET_INTERVAL_MS);
    tick();
  });
  await new Promise((resolve) => setTimeout(resolve, drainMs));
  return { outgoing, incoming, endMs: now() };
}

/** A fresh allocation on the relay: does it still answer this network on a new flow? */
async function controlAllocation(relay: CallRelay, url: string): Promise<'alive' | 'dead'> {
  const probe = await openPeerConnection({ ...relayConfig(relay, url), iceCandidatePoolSize: 0 });
  probe.pc.createDataChannel('control');
  try {
    return await new Promise<'alive' | 'dead'>((resolve) => {
      const timer = setTimeout(() => resolve('dead'), CONTROL_DEADLINE_MS);
      probe.pc.addEventListener('icecandidate', (event) => {
        // With a relay-only policy the only candidates are relayed ones: one means the allocation succeeded.
        if (event.candidate?.candidate) {
          clearTimeout(timer);
          resolve('alive');
        }
      });
      probe.pc.addEventListener('icegatheringstatechange', () => {
        if (probe.pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve('dead');
        }
      });
      probe.pc
        .createOffer()
        .then((offer) => probe.pc.setLocalDescription(offer))
        .catch(() => resolve('dead'));
    });
  } finally {
    probe.close();
  }
}

/** Never settles: a refusal that cannot come. */
const never = new Promise<never>(() => undefined);

/**
 * Runs the test: the first transport whose relay path connects carries the packets for `durationMs`. Every peer
 * connection is closed before this returns (Chrome caps a page at about 500). A check's quick window (`quick`,
 * quick-call.ts) shares one connect budget among the transports and waits less for stragglers, so it ends within
 * the check's time.
 *
 * With `go` (a check's quick window, call-gate.ts), the pair connects at once but sends nothing until `go` says
 * true: a false, or no answer within the connect budget, closes it (connected or not) and the result has no
 * transport, as when nothing connected. A TURN allocation and the handshakes are a few small packets; the voice
 * stream is what must wait for the check to know the link is not slow.
 */
export async function runCallLoopback(
  relay: CallRelay,
  durationMs: number,
  onProgress: (progress: CallTestProgress) => void = () => undefined,
  quick?: QuickCallWindow,
  go?: Promise<boolean>,
): Promise<CallTest> {
  const tried: Transport[] = [];
  const handshakeLost: Transport[] = [];
  const started = performance.now();
  const refused: Promise<false> = go === undefined ? never : go.then((yes) => (yes ? never : false), () => false);
  let declined = false;
  void refused.then(() => {
    declined = true;
  });
  for (const { transport, url } of relayAttempts(relay.uris)) {
    const left = quick === undefined ? undefined : quick.connectMs - (performance.now() - started);
    if ((left !== undefined && left <= 0) || declined) break;
    tried.push(transport);
    const connecting = performance.now();
    const { pair, allocated } = await connectPair(relay, url, left ?? CONNECT_DEADLINE_MS, left ?? CONNECT_DEADLINE_ALLOCATED_MS, refused);
    if (!pair) {
      // Only the full test waits long enough for a lost handshake to mean something; a quick window's budget is short.
      if (allocated && quick === undefined && !declined) handshakeLost.push(transport);
      continue;
    }
    const connectMs = roundMs(performance.now() - connecting);
    if (go !== undefined && !(await goAhead(go, (quick?.connectMs ?? CONNECT_DEADLINE_MS) - (performance.now() - started)))) {
      pair.close();
      return { durationMs, tried, ...lost(handshakeLost) };
    }
    try {
      const drainMs = quick?.drainMs ?? DRAIN_MS;
      const result = await exchange(pair, durationMs, drainMs, (records, elapsedMs) => onProgress(liveProgress(records, elapsedMs, durationMs, transport)));
      const outgoing = analyseDirection(result.outgoing, result.endMs);
      const incoming = analyseDirection(result.incoming, result.endMs);
      const died = [outgoing, incoming].some((direction: CallDirection) => direction.diedAtMs !== undefined);
      pair.close();
      const control = died ? await controlAllocation(relay, url) : undefined;
      return { durationMs, tried, ...lost(handshakeLost), transport, connectMs, outgoing, incoming, ...(control ? { control } : {}) };
    } finally {
      pair.close();
    }
  }
  return { durationMs, tried, ...lost(handshakeLost) };
}

function lost(transports: Transport[]): Pick<CallTest, 'handshakeLost'> {
  return transports.length > 0 ? { handshakeLost: transports } : {};
}

/** Whether `go` said true within `withinMs`; no answer by then is a no. */
async function goAhead(go: Promise<boolean>, withinMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, withinMs));
  });
  try {
    return await Promise.race([go.catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
