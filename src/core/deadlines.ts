// Per-probe deadlines derived from the baseline RTT, sized so a full check fits the time budget (DESIGN.md "Time budget").
import type { Observations } from './report';

/**
 * The budget: about 3 s on a healthy network, about 6 s when everything is silently dropped.
 * Browsers give up on a silent STUN server only after ~40 s (Chrome) or ~11 s (Firefox)
 * (browser-behaviour.md §5), so every probe carries a deadline of ours.
 *
 * Silent drop, worst case: controls phase (CONTROLS.phaseMs 2.5 s) + app phase (the ceilings
 * below, 3 s, all probes in parallel) + graces ≈ 6 s. Healthy network (RTT ≤ 100 ms): controls
 * ≈ 0.7 s (NAT 1–2 RTT, five sequential RTT samples, the loss burst 1 RTT plus the browser's
 * gathering completion, ≈ 0.1 s; HTTP/3 follow-ups run alongside), app phase ≈ the slowest HTTPS
 * fetch (≈ 5 RTT) ≈ 0.5–1 s; one silently filtered target adds at most its floor (1–1.5 s) ⇒ ≤ 3 s.
 * A lossy path adds a retransmission interval to the burst and 1 s to the UDP floor.
 */
export const CONTROLS = {
  /** The whole controls phase; the RTT samples get what the NAT probe leaves of it. */
  phaseMs: 2500,
  httpMs: 2500,
  natMs: 1500,
  rttMaxMs: 1000,
  /** Below this there is no time for a useful RTT sample. */
  rttMinMs: 300,
  /** Seven, so that the robust jitter (stats.ts) stays sound with up to three stray samples. */
  rttSamples: 7,
  /**
   * The loss burst: this many parallel Binding exchanges. At 10 % loss each way a burst of 64 reads
   * ≥ 5 % (LOSSY) 98.7 % of the time, a burst of 32 only 92 % (negative binomial over the sends).
   */
  lossExchanges: 64,
  /** Long enough for the answers to two retransmissions (Chrome: 250 and 750 ms after the first send) on a 300 ms path. */
  lossMaxMs: 1200,
  /** Below this not even the first retransmission's answer could arrive, so lost and slow look alike. */
  lossMinMs: 500,
  /** Fetches of an HTTP/3 control after the first, until one goes over QUIC (check/controls.ts awaitQuic). */
  quicAttempts: 4,
  /** The pause before each: time for the browser's background QUIC handshake to finish. */
  quicGapMs: 150,
  /** A follow-up fetch needs at least this much of the controls' HTTP budget left. */
  quicMinMs: 300,
} as const;

/**
 * Added to a probe's deadline before we stop waiting for its answer: the message round trip to
 * the offscreen document and the prober's own cleanup (pc.close()).
 */
export const GRACE_MS = 250;

/** Added to the longest probe deadline for the app phase as a whole (one pool, all in parallel). */
export const PHASE_SLACK_MS = 500;

export interface ProbeDeadlines {
  /** stun: and turn: over UDP. */
  iceUdpMs: number;
  /** turn:?transport=tcp and turns:. */
  iceTcpMs: number;
  httpMs: number;
  /** DoH cross-check: a fresh HTTPS connection to the resolver, like an HTTP probe. */
  dnsMs: number;
  /** The whole app phase, after which unfinished probes count as timed out. */
  appPhaseMs: number;
}

interface Rule {
  base: number;
  perRtt: number;
  floor: number;
  ceiling: number;
}

/**
 * ICE UDP: STUN Binding costs 1 RTT, a dummy-credential TURN 401 costs 2 RTT. Chrome retransmits
 * at 250 ms and 750 ms (RTO 250 ms, doubling [LIBWEBRTC-STUNREQ]), so the 1 s floor survives two
 * lost datagrams on a short path; 6 RTT covers the 401 plus a retransmission on a long one.
 */
export const ICE_UDP: Rule = { base: 600, perRtt: 6, floor: 1000, ceiling: 2500 };
/**
 * ICE TCP/TLS: TCP handshake (1 RTT) + TLS (1–2 RTT) + 401 (2 RTT) ≈ 5 RTT. The initial SYN
 * retransmission timeout is 1 s (RFC 6298), so the 1.5 s floor survives one lost SYN.
 */
export const ICE_TCP: Rule = { base: 1000, perRtt: 8, floor: 1500, ceiling: 3000 };
/** HTTP: DNS + TCP + TLS 1.3 + request ≈ 4–5 RTT plus server time; same SYN reasoning as ICE TCP. */
export const HTTP: Rule = { base: 1000, perRtt: 8, floor: 1500, ceiling: 3000 };

function apply(rule: Rule, rttMs: number | undefined): number {
  // Without a baseline nothing answered the controls: most likely the silent-drop case the
  // ceilings were sized for.
  if (rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0) return rule.ceiling;
  return Math.round(Math.min(rule.ceiling, Math.max(rule.floor, rule.base + rule.perRtt * rttMs)));
}

/**
 * On a path the loss burst found lossy (any one-way loss ≥ this, in percent), a UDP probe waits for one
 * more Chrome retransmission (sent 1750 ms after the first): at 10 % loss each way the three sends within
 * the usual 1 s floor all fail for 0.7 % of probes, which over a catalog's two dozen UDP targets would
 * misread some app's UDP as failing in one check of six; with four sends it is 0.13 % a probe.
 */
export const LOSSY_PATH_PCT = 2;
export const LOSSY_ICE_UDP_FLOOR_MS = 2000;

export function deadlinesFor(baselineRttMs: number | undefined, lossPct?: number): ProbeDeadlines {
  const usual = apply(ICE_UDP, baselineRttMs);
  const iceUdpMs = lossPct !== undefined && lossPct >= LOSSY_PATH_PCT ? Math.min(ICE_UDP.ceiling, Math.max(usual, LOSSY_ICE_UDP_FLOOR_MS)) : usual;
  const iceTcpMs = apply(ICE_TCP, baselineRttMs);
  const httpMs = apply(HTTP, baselineRttMs);
  const dnsMs = apply(HTTP, baselineRttMs);
  return {
    iceUdpMs,
    iceTcpMs,
    httpMs,
    dnsMs,
    appPhaseMs: Math.max(iceUdpMs, iceTcpMs, httpMs) + GRACE_MS + PHASE_SLACK_MS,
  };
}

/**
 * The baseline RTT from the controls, best source first: the median STUN RTT; else the TCP
 * connect time of a control HTTP fetch (one round trip, Resource Timing); else a quarter of the
 * fastest control fetch (DNS + TCP + TLS + request ≈ 4 RTT), a rough upper estimate.
 */
export function baselineRtt(observations: Observations, controlHttpIds: readonly string[]): number | undefined {
  const { rtt } = observations;
  if (rtt?.medianMs !== undefined) return rtt.medianMs;
  const controls = observations.http.filter((r) => controlHttpIds.includes(r.id) && r.outcome === 'reachable');
  const connects = controls.flatMap((r) => (r.timing?.connectMs !== undefined ? [r.timing.connectMs] : []));
  if (connects.length > 0) return Math.min(...connects);
  if (controls.length > 0) return Math.min(...controls.map((r) => r.ms)) / 4;
  return undefined;
}

/**
 * RTT under the check's own load exceeding the idle RTT by this much is queueing: a slow link (SLOW_LINK). A
 * busy CPU delays our own timing by up to ~200 ms (e2e on a loaded 2-core machine), so the threshold sits above
 * that: a busy laptop must not read as a slow link.
 */
export const SLOW_LINK_QUEUE_MS = 300;

/** The median loaded RTT's excess over the idle one, when both were measured. */
export function queueingMs(idleRttMs: number | undefined, loadedRttMs: number | undefined): number | undefined {
  if (idleRttMs === undefined || loadedRttMs === undefined) return undefined;
  return Math.max(0, loadedRttMs - idleRttMs);
}

/**
 * The loaded RTT the verdict reads (SLOW_LINK): the median of two samples or more. One sample alone can be a busy
 * CPU's stall at the parallel pass's start (lab open-relay on a loaded machine: one sample of 312 ms, 2 ms idle, on
 * an open network, read as a slow link); a slow link's queue shows in every sample after the first (slow-256k: 2-3
 * samples of 510-820 ms). A shared report carries the median only when it counts (anonymise.ts), without its samples.
 */
export function loadedRttEvidence(loaded: { samples: readonly number[]; medianMs?: number } | undefined): number | undefined {
  return loaded === undefined || loaded.samples.length === 1 ? undefined : loaded.medianMs;
}

export function isSlowLink(idleRttMs: number | undefined, loadedRttMs: number | undefined): boolean {
  return (queueingMs(idleRttMs, loadedRttMs) ?? 0) >= SLOW_LINK_QUEUE_MS;
}

/**
 * The parallel pass's pool: it opens with a part of its slots (ICE batches first, then a few HTTPS fetches) until
 * the first loaded-RTT sample, and runs the rest a few at a time on a link that sample shows queueing. Thirty TLS
 * handshakes at once fill a 256 kbit/s link's queue for seconds (issue: every app read "blocked").
 */
export const APP_PASS = { openingConcurrency: 12, queuedConcurrency: 3 } as const;

export interface ConfirmDeadlines {
  iceUdpMs: number;
  iceTcpMs: number;
  httpMs: number;
  /**
   * For a silent host of an app another of whose hosts answered: the ceiling. One company's addresses limited to
   * 32 kbit/s (lab `teams-throttled`) take about 2 s per TLS handshake, past the 1.5 s an idle 2 ms RTT gives, and the
   * answered sibling is what tells that path from a dropped one. A wholly silent app keeps the quicker deadline.
   */
  partialHttpMs: number;
  /** The same for TURN over TCP or TLS of such an app: a TCP and TLS handshake and a 401 through the same slow path. */
  partialIceTcpMs: number;
  /** And for its STUN/TURN over UDP: a datagram each way through that path's queue (1 s in lab teams-throttled). */
  partialIceUdpMs: number;
  /** Probes in flight at once: all of them where the parallel pass did not queue the link, a few where it did. */
  concurrency: number;
  /** The whole pass; targets not confirmed by then stay unconfirmed, which is no evidence (silence.ts). */
  passMs: number;
}

/**
 * Queueing under the parallel pass's load from which the confirmation pass goes a few probes at a time. Lower than
 * SLOW_LINK_QUEUE_MS: going slowly costs only time, while repeating the parallel pass's crowd on a link it
 * queued would repeat its silences. A busy CPU may cross it too, which is harmless.
 */
export const CONFIRM_QUEUE_MS = 100;
/** Probes in flight at once in the confirmation pass on a queued link: one TLS handshake at 128 kbit/s takes ~0.3 s. */
export const QUEUED_CONFIRM_CONCURRENCY = 3;
/** Ceilings for the confirmation pass: above the parallel pass's, since time, not load, is what it spends. */
export const CONFIRM_CEILING = { iceUdpMs: 2500, iceTcpMs: 4000, httpMs: 4000 } as const;
/**
 * The whole pass on a queued link: enough for a few rounds, so a check on a 128 kbit/s link ends near 10 s, 13 s at
 * worst (DESIGN.md "Time budget": the right answer in about 10 s beats a fast wrong one). Where the link did not
 * queue every probe runs at once and the pass lasts one deadline.
 */
export const QUEUED_CONFIRM_PASS_MS = 8000;
/**
 * The longest a confirmation pass runs for an app answered on one server and silent on others, its probes one after
 * another (check-plan.ts lanes): a web host and its TURN over TCP and TLS behind one company's 32 kbit/s limit.
 */
export const CONFIRM_LANES_MAX_MS = 10_000;

/**
 * On a queued link the confirmation pass first waits for the parallel pass's traffic to drain: single RTT samples to
 * the idle RTT's server, this far apart, until one comes back within CONFIRM_QUEUE_MS of the idle RTT, for at most
 * maxMs. Aborting a fetch does not stop its connection: the browser finishes the TCP and TLS handshakes it started
 * and keeps the socket for the next request to that host, so for seconds after the parallel pass thirty handshakes
 * still share a slow link, and a probe sent into that queue repeats the first pass's silence.
 */
export const QUEUED_DRAIN = { maxMs: 4000, gapMs: 200 } as const;

/**
 * An HTTPS probe's deadline in the confirmation pass on a queued link. A full queue drops packets, a TCP SYN among
 * them, and Linux resends a SYN after 1 s and again at 3 s; the handshake after that third SYN still needs a second
 * or two of queue. With 3.6 s (the RTT rule at 322 ms under load) Meet's and FaceTime's only web hosts read silent
 * twice on the 256/128 kbit/s lab link, a false "blocked" (lab `slow-256k-signal-reset`).
 */
export const QUEUED_CONFIRM_HTTP_MS = 5000;

/**
 * Deadlines for the confirmation pass: from the larger of the idle RTT and the RTT under load, since the pass
 * runs right after the load and a queue takes a moment to drain. Without any RTT, the ceilings. `loadedLost`: a
 * sample under load went unanswered, which a full queue does; the link is then treated as queued whatever the others
 * read (no figure is made up for it: the deadlines follow the RTTs measured).
 */
export function confirmDeadlines(idleRttMs: number | undefined, loadedRttMs: number | undefined, lossPct?: number, loadedLost = false): ConfirmDeadlines {
  const rtts = [idleRttMs, loadedRttMs].filter((r): r is number => r !== undefined && Number.isFinite(r) && r >= 0);
  const rtt = rtts.length === 0 ? undefined : Math.max(...rtts);
  const queued = loadedLost || (queueingMs(idleRttMs, loadedRttMs) ?? 0) >= CONFIRM_QUEUE_MS;
  const widen = (rule: Rule, ceiling: number): Rule => ({ ...rule, ceiling });
  const usualUdp = apply(widen(ICE_UDP, CONFIRM_CEILING.iceUdpMs), rtt);
  const iceUdpMs = lossPct !== undefined && lossPct >= LOSSY_PATH_PCT ? Math.min(CONFIRM_CEILING.iceUdpMs, Math.max(usualUdp, LOSSY_ICE_UDP_FLOOR_MS)) : usualUdp;
  const iceTcpMs = apply(widen(ICE_TCP, CONFIRM_CEILING.iceTcpMs), rtt);
  const usualHttp = apply(widen(HTTP, CONFIRM_CEILING.httpMs), rtt);
  const httpMs = queued ? Math.max(usualHttp, QUEUED_CONFIRM_HTTP_MS) : usualHttp;
  const partialHttpMs = Math.max(httpMs, CONFIRM_CEILING.httpMs);
  const partialIceTcpMs = Math.max(iceTcpMs, CONFIRM_CEILING.iceTcpMs);
  const partialIceUdpMs = Math.max(iceUdpMs, CONFIRM_CEILING.iceUdpMs);
  const longest = Math.max(iceUdpMs, iceTcpMs, httpMs, partialHttpMs, partialIceTcpMs, partialIceUdpMs) + GRACE_MS + PHASE_SLACK_MS;
  return {
    iceUdpMs,
    iceTcpMs,
    httpMs,
    partialHttpMs,
    partialIceTcpMs,
    partialIceUdpMs,
    concurrency: queued ? QUEUED_CONFIRM_CONCURRENCY : Number.POSITIVE_INFINITY,
    passMs: queued ? Math.max(QUEUED_CONFIRM_PASS_MS, longest) : longest,
  };
}

/**
 * Per-app paths (app-quality.ts): three sequential RTT samples, then a loss burst, to one media server of each app,
 * all apps at once once the app probes and the confirmation pass are over. The burst waits long enough for an answer
 * to Chrome's first retransmission (250 ms) on a 300 ms path; loss beyond that shows as unanswered exchanges.
 */
export const PATHS = { rttSamples: 3, rttMs: 1000, lossMs: 900 } as const;
