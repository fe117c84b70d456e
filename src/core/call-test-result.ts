// The sustained call test's result as a report carries it: the schema the popup and storage check it with. Apart from
// the analysis (call-test.ts), so validating a report does not load the call test itself.
import * as v from 'valibot';
import { TransportSchema } from './catalog';

const Ms = v.pipe(v.number(), v.minValue(0));
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** One direction, analysed. Figures that could not be measured are absent. */
export const CallDirectionSchema = v.object({
  sent: Count,
  received: Count,
  /** Lost among the packets sent while the flow was alive (up to the last one that arrived). */
  lossPct: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
  /** RFC 3550 §6.4.1 interarrival jitter. */
  jitterMs: v.optional(Ms),
  /** Gaps of at least STALL_MS between arrivals, the final silence of a dead flow not counted. */
  stalls: Count,
  longestGapMs: v.optional(Ms),
  /** When the flow died: the send time of the last packet that arrived, if none came for DEAD_MS until the end. */
  diedAtMs: v.optional(Ms),
});
export type CallDirection = v.InferOutput<typeof CallDirectionSchema>;

/**
 * The sustained test through our relay. Both directions cross the person's uplink once and downlink once (each
 * peer's relay flow carries one direction up and the other down), so "outgoing" (from the calling peer) and
 * "incoming" tell one flow's fate from the other's, not upload from download.
 */
export const CallTestSchema = v.object({
  durationMs: Ms,
  /** Transports tried in order; the last is the one that connected, if `transport` is present. */
  tried: v.array(TransportSchema),
  /**
   * Transports on which the relay allocated (it answered) yet the call never connected within the full test's
   * deadline: the handshake after the allocation (ICE, DTLS, SCTP) kept being lost, or something cut it.
   */
  handshakeLost: v.optional(v.array(TransportSchema)),
  /** The transport whose relay path connected; absent if none did. */
  transport: v.optional(TransportSchema),
  connectMs: v.optional(Ms),
  outgoing: v.optional(CallDirectionSchema),
  incoming: v.optional(CallDirectionSchema),
  /**
   * A fresh allocation on the relay after a flow died: `alive` means the relay still answers this network on a
   * new flow, so the old one was cut; `dead` means the relay or the whole connection went away.
   */
  control: v.optional(v.picklist(['alive', 'dead'])),
});
export type CallTest = v.InferOutput<typeof CallTestSchema>;
