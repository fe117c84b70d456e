// Every probe RTCPeerConnection is opened and closed here, so the prober can say how many were open at once, and a
// browser's limit on connections never reads as a finding.
import { PeerConnectionLimitError } from '../core/device-limit';
import type { PeerConnectionStats } from '../core/messages';

let open = 0;
let peak = 0;
let reclaims = 0;
/** Garbage steps allocated in all reclaims (counted from the garbage itself, so it cannot be optimised away). */
let reclaimSteps = 0;

/**
 * Chrome refuses a new RTCPeerConnection while its renderer process holds 500 that were not yet garbage-collected,
 * closed or not (Blink's instance counter, decremented only when the object is collected; "Cannot create so many
 * PeerConnections"). A check of 16 apps opens about 120, and an idle extension process rarely collects: the fifth
 * 16-app check in a row found none left and read every app as local interference; closing the offscreen document
 * freed none (the service worker keeps the process). Short-lived garbage makes V8 collect, and the closed
 * connections with it, but the collection runs as tasks after the allocation: so each step allocates
 * RECLAIM_STEP_BYTES, yields to the event loop and tries again, at most RECLAIM_STEPS times. A reclaim costs memory
 * for a moment and only when the limit was hit. Measured (Chromium, 16-app checks in a row in one browser): 9 of 12
 * complete, each reclaim one step at first; the process frees fewer as it ages, and the rest end as failed.
 */
const RECLAIM_STEP_BYTES = 8 << 20;
const RECLAIM_STEPS = 8;
const RECLAIM_PAUSE_MS = 10;

const isLimit = (error: unknown): boolean => error instanceof Error && /so many/i.test(error.message);

async function construct(config: RTCConfiguration): Promise<RTCPeerConnection> {
  for (let step = 0; ; step += 1) {
    try {
      const pc = new RTCPeerConnection(config);
      if (step > 0) reclaims += 1;
      return pc;
    } catch (error) {
      if (!isLimit(error)) throw error;
      if (step === RECLAIM_STEPS) throw new PeerConnectionLimitError(error);
    }
    const garbage = new Uint8Array(RECLAIM_STEP_BYTES);
    garbage[step] = 1;
    reclaimSteps += garbage[step] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, RECLAIM_PAUSE_MS));
  }
}

/**
 * Opens a connection and returns it with its closer; closing twice counts once.
 * @throws PeerConnectionLimitError when the browser's limit holds even after a reclaim; other errors (a URL the
 * browser refuses) as the browser throws them.
 */
export async function openPeerConnection(config: RTCConfiguration): Promise<{ pc: RTCPeerConnection; close(): void }> {
  const pc = await construct(config);
  open += 1;
  peak = Math.max(peak, open);
  let closed = false;
  return {
    pc,
    close() {
      if (closed) return;
      closed = true;
      open -= 1;
      pc.close();
    },
  };
}

/** Connections open now, the most open at once since this context started, and the reclaims the limit needed. */
export function peerConnectionStats(): PeerConnectionStats {
  return { open, peak, reclaims, reclaimSteps };
}
