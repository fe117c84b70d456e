// What a check is given: its dependencies (the probes, the judge, storage), its options and its extras.
import type { CallRelay } from '../../core/call-relay';
import type { CallTest } from '../../core/call-test-result';
import type { Catalog, HttpTarget, IceTarget } from '../../core/catalog';
import type { ConnectionType } from '../../core/connection-type';
import type { Clock } from '../../core/pool';
import type { QuickCallWindow } from '../../core/quick-call';
import type { DnsCheck, HttpProbeResult, IceProbeResult, LossResult, NatResult, Observations, Report, RttResult } from '../../core/report';
import type { Judgement } from '../../core/verdict';

/** Everything the runner touches outside itself. No browser API is used here; index.ts wires the real ones. */
export interface CheckDeps {
  /** Must honour `signal` (our deadline or a cancel) and resolve, not reject, for network failures. */
  probeHttp(target: HttpTarget, deadlineMs: number, signal: AbortSignal): Promise<HttpProbeResult>;
  /** One result per target, each from its own RTCPeerConnection; a missing one counts as "no answer by the deadline". */
  probeIce(targets: IceTarget[], deadlineMs: number): Promise<IceProbeResult[]>;
  /** One RTCPeerConnection with all `servers`, for the NAT mapping; `answered` in the order the servers answered. */
  probeNat(servers: IceTarget[], deadlineMs: number): Promise<NatResult>;
  probeRtt(target: IceTarget, samples: number, deadlineMs: number): Promise<RttResult>;
  /**
   * A burst of `exchanges` parallel Binding exchanges with one STUN server, for loss. Absent where the browser's
   * timing cannot show its retransmissions (Firefox, check-service.ts): the check then has no loss estimate.
   */
  probeLoss?(target: IceTarget, exchanges: number, deadlineMs: number): Promise<LossResult>;
  /**
   * The loopback through our relay for `durationMs`, within the quick window's budgets (quick-call.ts): it connects
   * at once and sends only once `go` says true (false, or no answer within its connect budget, closes it unsent).
   * Absent where no loopback can run; a check runs it only when it was started with a relay (the person allowed it).
   */
  probeCall?(relay: CallRelay, durationMs: number, window: QuickCallWindow, go: Promise<boolean>): Promise<CallTest>;
  /** Compares what the browser resolved for the target's host with DoH; null when there is nothing to compare. */
  dnsCheck(target: HttpTarget, httpResult: HttpProbeResult, deadlineMs: number, signal: AbortSignal): Promise<DnsCheck | null>;
  /** `final`: the check is over, so an app with a target never probed is unknown rather than pending. */
  judge(catalog: Catalog, observations: Observations, options?: { final?: boolean }): Judgement;
  now(): number;
  /** A UUID (the report schema requires one). */
  newId(): string;
  save(report: Report): Promise<void>;
  /** Called with a fresh report object on every change (progress for an open popup). */
  onUpdate(report: Report): void;
  meta: { extensionVersion: string; browser: Report['browser'] };
  /** The kind of link at the start of a check, where the browser tells it. */
  connectionType?(): ConnectionType | undefined;
  /** Timer; defaults to setTimeout/clearTimeout. */
  after?: Clock['after'];
  /** Where non-fatal problems go (a probe that threw, a failed save). Defaults to console.warn. */
  warn?(message: string, error?: unknown): void;
}

export interface CheckOptions {
  /** Probes in flight at once. High enough that a catalog of ~15 apps runs in one wave (see deadlines.ts). */
  concurrency?: number;
  /** ICE targets per probeIce call (the prober opens one RTCPeerConnection per URL; 8 in parallel finish in ~150 ms). */
  iceBatchSize?: number;
  /** Progress saves at most this often; the start and the end are always saved. */
  saveIntervalMs?: number;
  /** The rows are judged again (and published) at most this often while results arrive; at once at each phase's end. */
  liveIntervalMs?: number;
  /** CIDR blocks not to treat as bogons (the lab's 198.18.0.0/15, loopback fixtures). */
  bogonAllow?: readonly string[];
}

export const DEFAULT_OPTIONS: Required<CheckOptions> = {
  concurrency: 32,
  iceBatchSize: 6,
  saveIntervalMs: 500,
  liveIntervalMs: 100,
  bogonAllow: [],
};

/** What a check may use besides its catalog. */
export interface CheckExtras {
  /**
   * Our call-test relay's credentials, only when the person allows the relay: the check then runs the quick call
   * window through it where the link allows (quick-call.ts). Without them nothing is sent to the relay.
   */
  callRelay?: CallRelay;
  /**
   * TURN/TLS targets at a destination the check before this one probed with plain TURN over TCP moments ago
   * (residual.ts residualTargets): their silence in this check may be that probe's doing, so it is marked and says nothing.
   */
  residual?: ReadonlySet<string>;
}
