// Packet loss from a burst of STUN Binding exchanges: a browser retransmits a lost Binding on a fixed schedule, so how late an answer comes says how many datagrams were lost before it.
import type { LossResult } from './report';

/**
 * When a browser sends a STUN Binding and its retransmissions, in ms after the first send.
 * Chrome: STUN_INITIAL_RTO 250 ms doubling (browser-behaviour.md §5, libwebrtc stun_request.cc), so
 * 0, 250, 750, 1750, 3750…; Firefox (nICEr): 100 ms doubling. Both are checked in real browsers by
 * test/e2e with a STUN responder that ignores the first transmission of every transaction.
 */
export type RetransmitSchedule = readonly number[];

function doubling(initialRtoMs: number, sends: number): RetransmitSchedule {
  const times = [0];
  for (let i = 1; i < sends; i += 1) times.push((times[i - 1] ?? 0) + initialRtoMs * 2 ** (i - 1));
  return times;
}

export const CHROME_SCHEDULE: RetransmitSchedule = doubling(250, 9);
export const FIREFOX_SCHEDULE: RetransmitSchedule = doubling(100, 7);

/**
 * An answer counts as one to a retransmission once it is this much of the gap before that
 * retransmission late: a quarter leaves room for measurement scatter (tens of ms on a busy CPU) and
 * for queueing jitter without taking a late first answer for a lost one.
 */
const EARLY_FRACTION = 0.25;

/** How many sends an answer `lateMs` after the fastest answer of the burst took (1 = the first one answered). */
export function sendsBefore(lateMs: number, schedule: RetransmitSchedule): number {
  let sends = 1;
  for (let i = 1; i < schedule.length; i += 1) {
    const at = schedule[i] ?? Number.POSITIVE_INFINITY;
    const gap = at - (schedule[i - 1] ?? 0);
    if (lateMs >= at - gap * EARLY_FRACTION) sends = i + 1;
  }
  return sends;
}

export interface Burst {
  /** Each answered exchange's answer time, from the moment it sent its first Binding. */
  answeredMs: readonly number[];
  /** Exchanges still unanswered when the burst ended. */
  unanswered: number;
  /** How long the burst waited for answers, from the first sends. */
  waitedMs: number;
}

/**
 * Datagrams sent and lost over a burst (request or answer lost: a round-trip count).
 * The fastest answer of the burst is the path's round trip; every answer later than that by a
 * retransmission interval needed that retransmission. An unanswered exchange lost every send whose
 * answer should have arrived by the end of the wait; sends still in flight are not counted. With no
 * answer at all the path is not lossy but closed, and nothing is estimated.
 */
export function countLoss(burst: Burst, schedule: RetransmitSchedule): { sent: number; lost: number } | undefined {
  if (burst.answeredMs.length === 0) return undefined;
  const rtt = Math.min(...burst.answeredMs);
  let sent = 0;
  let lost = 0;
  for (const answered of burst.answeredMs) {
    const sends = sendsBefore(answered - rtt, schedule);
    sent += sends;
    lost += sends - 1;
  }
  const due = schedule.filter((at) => at + rtt <= burst.waitedMs).length;
  sent += burst.unanswered * due;
  lost += burst.unanswered * due;
  return { sent, lost };
}

/**
 * One-way loss in percent from round-trip counts, assuming both directions lose alike: a Binding
 * exchange survives only if request and answer both do, (1 − p)² = 1 − q.
 */
export function oneWayLossPct(result: Pick<LossResult, 'sent' | 'lost'>): number {
  if (result.sent === 0) return 0;
  const roundTrip = Math.min(1, result.lost / result.sent);
  return (1 - Math.sqrt(1 - roundTrip)) * 100;
}
