// The quick call window of a check: whether it may run beside the app probes, how long it may take, what the report keeps.
import { CALL_TEST_DURATION_MS } from './call-test';
import type { CallTest } from './call-test-result';
import { isSlowLink } from './deadlines';

/**
 * The window: the short loopback through our relay (call-test.ts), in a check. It may send only once the first RTT
 * sample under the app pass's load is back (quickCallFits), which in the lab comes 1.05-1.35 s into a check (the
 * controls take 0.7-0.9 s, the sample 0.2-0.45 s under that load). 2 s of packets from there, and the wait for
 * stragglers, end the window at 3.2-3.6 s, past the check's 3 s budget however early the loopback connected (it
 * ended open checks at 3.5-3.7 s when it connected after that sample). So 1.5 s: 75 packets each way, which still tells a call that breaks up (10 % lost) from one that does not. At a
 * true 5 % loss a window reads 10 % or more 3.4 % of the time (2.8 % at 2 s); at 20 % it reads less 1.0 % of the
 * time (0.2 % at 2 s). Neither length can see a flow die (call-test.ts DEAD_MS is 2 s): that is the full test's.
 */
export const QUICK_CALL_MS = CALL_TEST_DURATION_MS.quick;

/**
 * Connecting the loopback through a relay takes a TURN allocation (2 RTT), the ICE checks through it, DTLS (2 RTT)
 * and SCTP (1-2 RTT): about 8 RTT, a few hundred ms on loopback with the CPU busy. The whole budget is shared by the
 * transports tried (UDP, then TLS, then TCP), so a relay that does not answer costs the check at most its ceiling.
 * It also bounds the wait for the check's go-ahead (background/check/quick-call-window.ts): a loopback not told by then
 * closes unsent.
 */
export const QUICK_CONNECT = { base: 1000, perRtt: 10, floor: 2000, ceiling: 3000 } as const;

/**
 * After the last packet, the wait for stragglers. Loss is counted only up to the last packet that arrived
 * (call-test.ts lossOf), so a short wait costs no figure; a few RTTs let the late ones in.
 */
export const QUICK_DRAIN = { perRtt: 3, floor: 100, ceiling: 500 } as const;

export interface QuickCallWindow {
  /** For every transport tried together, and the go-ahead, from the loopback's start. */
  connectMs: number;
  drainMs: number;
}

const clamp = (value: number, floor: number, ceiling: number): number => Math.round(Math.min(ceiling, Math.max(floor, value)));

/** The window's budgets from the idle RTT; the ceilings without one. */
export function quickCallWindow(idleRttMs: number | undefined): QuickCallWindow {
  if (idleRttMs === undefined || !Number.isFinite(idleRttMs) || idleRttMs < 0) return { connectMs: QUICK_CONNECT.ceiling, drainMs: QUICK_DRAIN.ceiling };
  return {
    connectMs: clamp(QUICK_CONNECT.base + QUICK_CONNECT.perRtt * idleRttMs, QUICK_CONNECT.floor, QUICK_CONNECT.ceiling),
    drainMs: clamp(QUICK_DRAIN.perRtt * idleRttMs, QUICK_DRAIN.floor, QUICK_DRAIN.ceiling),
  };
}

/**
 * The longest the check waits for the window once it told it to send: every budget spent (the connection may still
 * be under way), and the message round trip to the ICE host.
 */
export function quickCallLimitMs(window: QuickCallWindow, graceMs: number): number {
  return window.connectMs + QUICK_CALL_MS + window.drainMs + graceMs;
}

/**
 * Whether the window may send beside the app probes, from an RTT sample taken under their load (the signal that also
 * widens or narrows their pool, background/check/app-pass.ts, which asks it of two samples in a row): not on a slow link (deadlines.ts isSlowLink, whose
 * threshold sits above what a busy CPU adds to our timing, so a busy laptop still gets its window). The loopback has
 * connected meanwhile (a few small packets); this decides whether its voice stream goes out.
 *
 * The loopback sends a voice stream each way through the relay: two flows of ≈ 100 kbit/s (160-byte packets every
 * 20 ms plus SCTP, DTLS, TURN, UDP and IP headers) up and the same down. On a slow link (256/128 kbit/s in the lab)
 * that would fill the uplink: the app probes' answers would wait behind it and read silent, and the loopback would
 * measure its own overload, twice what one call sends, as "audio will break up". So on such a link, or where no
 * sample tells (no control STUN server answered), the window does not send at all, rather than after the other
 * phases: a figure the test made itself is worse than none, and the popup's "Test a call" stays one click away. On
 * a link that is not slow, 200 kbit/s is a small share, and sending beside the app probes keeps the check within
 * its budget (QUICK_CALL_MS).
 */
export function quickCallFits(idleRttMs: number | undefined, loadedSampleMs: number | undefined): boolean {
  return idleRttMs !== undefined && loadedSampleMs !== undefined && !isSlowLink(idleRttMs, loadedSampleMs);
}

/**
 * What the report keeps of a window: nothing when the relay gave no path within the window's budget. Silence from
 * our relay in a 2-3 s budget is not evidence about calls (the full test tries each transport for longer), so it is
 * "not measured", never "no path".
 */
export function quickCallKept(test: CallTest): CallTest | undefined {
  return test.transport === undefined ? undefined : test;
}
