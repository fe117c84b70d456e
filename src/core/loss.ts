// Packet loss from a burst of STUN Binding exchanges: a browser retransmits a lost Binding on a fixed schedule, so how late an answer comes says how many datagrams were lost before it.
import type { LossResult } from './report';

/**
 * When a browser sends a STUN Binding and its retransmissions, in ms after the first send.
 * Chrome: STUN_INITIAL_RTO 250 ms doubling (browser-behaviour.md §5, libwebrtc stun_request.cc), so
 * 0, 250, 750, 1750, 3750…; Firefox (nICEr): 100 ms doubling. Both are checked in real browsers by
 * test/e2e with a STUN responder that ignores chosen transmissions.
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
 * An exchange of `transactions` STUN transactions one after another, each retransmitted on `schedule`: a TURN
 * Allocate with dummy credentials is two (the first 401 carries the nonce, the browser retries with credentials and
 * reports the second 401; both Chromium and Firefox sent exactly two Allocates per socket in test/e2e). Element k
 * is the least extra delay with which the exchange can end after k lost sends in all, so reading lateness against
 * it gives the fewest losses that explain it: 500 ms in Chrome is one loss in each transaction, 750 ms two in one,
 * both read as two.
 */
export function sequentialSchedule(schedule: RetransmitSchedule, transactions: number): RetransmitSchedule {
  let earliest: number[] = [...schedule];
  for (let t = 1; t < transactions; t += 1) {
    const previous = earliest;
    earliest = previous.map((_, k) => Math.min(...schedule.slice(0, k + 1).map((at, i) => at + (previous[k - i] ?? Number.POSITIVE_INFINITY))));
  }
  return earliest;
}

/**
 * What answer times are measured from:
 * - `description`: setLocalDescription, before any Binding goes out. Scatter in our timing (a busy
 *   CPU, the browser setting up many sockets at once) then only ever makes an answer look later, so an
 *   answer counts as one to a retransmission only within a tenth of the gap before its step: e2e on a
 *   loaded 2-core machine saw first answers up to ~200 ms late in Chrome, which a quarter (187 ms)
 *   took for lost sends.
 * - `host-candidate`: the first host candidate, which a browser may emit a little before or after its
 *   send, so errors go both ways and a quarter of the gap is left on the early side.
 */
export type TimedFrom = 'description' | 'host-candidate';

const EARLY_FRACTION: Readonly<Record<TimedFrom, number>> = { description: 0.1, 'host-candidate': 0.25 };

/** How many sends an answer `lateMs` after the fastest answer of its group took (1 = the first one answered). */
export function sendsBefore(lateMs: number, schedule: RetransmitSchedule, timedFrom: TimedFrom): number {
  let sends = 1;
  for (let i = 1; i < schedule.length; i += 1) {
    const at = schedule[i] ?? Number.POSITIVE_INFINITY;
    const gap = at - (schedule[i - 1] ?? 0);
    if (lateMs >= at - gap * EARLY_FRACTION[timedFrom]) sends = i + 1;
  }
  return sends;
}

export interface Burst {
  /** Each answered exchange's answer time, from the moment it sent its first Binding (as this group's clock tells). */
  answeredMs: readonly number[];
  /** Exchanges still unanswered when the burst ended. */
  unanswered: number;
  /** How long the group waited for answers, from its first sends. */
  waitedMs: number;
}

/**
 * Datagrams sent and lost over a burst (request or answer lost: a round-trip count), in groups whose
 * answers share one reference clock (one connection's sections start together, give or take the
 * browser's set-up; different connections may start a hundred milliseconds apart on a busy CPU).
 * Each group's fastest answer is its round trip, and every answer later than that by a
 * retransmission interval needed that retransmission. An unanswered exchange lost every send whose
 * answer should have arrived by the end of its group's wait (judged with the burst's fastest answer);
 * sends still in flight are not counted. With no answer at all the path is not lossy but closed, and
 * nothing is estimated. A group whose answers fall between the schedule's windows (isDisturbed), or one connection
 * late where the others were not (isOutlier), gives no timing: only its unanswered exchanges count, a lower bound.
 * Read against a sequentialSchedule, an unanswered exchange counts the fewest losses that explain its silence.
 */
export function countLoss(
  groups: readonly Burst[],
  schedule: RetransmitSchedule,
  timedFrom: TimedFrom,
  /** Transactions per exchange (2 for a TURN 401, read against sequentialSchedule): each answered one sent them all once. */
  transactions = 1,
): { sent: number; lost: number } | undefined {
  const fastest = groups.flatMap((group) => (group.answeredMs.length === 0 ? [] : [Math.min(...group.answeredMs)]));
  if (fastest.length === 0) return undefined;
  const rtt = Math.min(...fastest);
  let sent = 0;
  let lost = 0;
  const lateShares = groups.map((group) => {
    const own = group.answeredMs.length === 0 ? rtt : Math.min(...group.answeredMs);
    const late = group.answeredMs.filter((answered) => sendsBefore(answered - own, schedule, timedFrom) > 1).length;
    return { late, answered: group.answeredMs.length };
  });
  for (const [index, group] of groups.entries()) {
    const own = group.answeredMs.length === 0 ? rtt : Math.min(...group.answeredMs);
    const due = schedule.filter((at) => at + rtt <= group.waitedMs).length;
    // Two transactions in a row can end at sums of steps that lie between the listed minima: no window to check.
    const untimed = (transactions === 1 && isDisturbed(group.answeredMs.map((answered) => answered - own), schedule, timedFrom)) || isOutlier(index, lateShares);
    if (untimed) {
      // Its answers' timing says nothing, but an exchange that got no answer through every send is loss whatever the
      // clock did: counted with its answered ones as one clean send each, a lower bound (a burst with 5 of 32
      // unanswered on a 30 % lossy path, its answers delivered late by a busy CPU, read no loss at all).
      if (group.unanswered > 0 && due > 0) {
        sent += group.answeredMs.length * transactions + group.unanswered * due;
        lost += group.unanswered * due;
      }
      continue;
    }
    for (const answered of group.answeredMs) {
      const sends = sendsBefore(answered - own, schedule, timedFrom);
      sent += sends + transactions - 1;
      lost += sends - 1;
    }
    sent += group.unanswered * due;
    lost += group.unanswered * due;
  }
  return { sent, lost };
}

/**
 * Past this share of the gap to the next send, an answer is too late for the send it is read as and too early for
 * the next one: no loss explains it, only the browser delivering it late.
 */
const UNEXPLAINED_FRACTION = 0.5;

/**
 * A group whose answers do not fall in the schedule's windows: some answer came between two sends' windows.
 * Chromium sometimes delivers a connection's later sections' answers 100-500 ms late in clusters with nothing
 * lost (e2e on loopback, a loaded machine: 7 of 71 "lost", read as 5.1 %), and such a group would read as loss.
 * Its timing says nothing about loss, so it is left out of the count: no figure rather than a made-up one.
 */
function isDisturbed(latenesses: readonly number[], schedule: RetransmitSchedule, timedFrom: TimedFrom): boolean {
  return latenesses.some((late) => {
    const index = sendsBefore(late, schedule, timedFrom) - 1;
    const sentAt = schedule[index] ?? 0;
    const next = schedule[index + 1];
    return next !== undefined && late - sentAt > (next - sentAt) * UNEXPLAINED_FRACTION;
  });
}

/**
 * A connection most of whose answers needed a retransmission while the other connections' hardly did. Loss is
 * independent per datagram: at 10 % each way, 5 or more late answers of 8 in one connection happen about once in a
 * hundred connections, and then the others are late too. Chromium, though, sometimes answers most of one
 * connection's sections 250-500 ms late with nothing lost (e2e on loopback: 7 of 8, the other 56 on time), which no
 * window check can tell from loss. Such a connection is left out; real loss, spread over every connection, is not.
 */
function isOutlier(index: number, shares: readonly { late: number; answered: number }[]): boolean {
  if (shares.length < 3) return false;
  const own = shares[index];
  if (own === undefined || own.answered === 0 || own.late * 2 < own.answered) return false;
  const others = shares.filter((_, i) => i !== index);
  const late = others.reduce((sum, s) => sum + s.late, 0);
  const answered = others.reduce((sum, s) => sum + s.answered, 0);
  return answered > 0 && late * 10 <= answered;
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
