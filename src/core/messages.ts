// Typed messages between extension contexts: popup/options/automation → background, background → offscreen.
import type { CallRelay } from './call-relay';
import type { CallTestDuration, CallTestProgress } from './call-test';
import type { CallTest } from './call-test-result';
import type { QuickCallWindow } from './quick-call';
import type { IceTarget } from './catalog';
import type { CrowdStats } from './crowd';
import type { RelayCredentialsResult } from './turn-credentials';
import type { HttpProbeResult, IceProbeResult, LossResult, NatResult, Report, RttResult } from './report';

/**
 * Requests the background answers. `catalog` is untrusted and validated like the bundled one. `reflector`, honoured
 * by test builds only, stands in for the call-test relay's (reflection.ts), so a test can run port reflection
 * against its own STUN responders.
 */
export type BackgroundRequest =
  | { type: 'ping' }
  /** Starts a check (or joins the running one) and answers at once with its id. */
  | { type: 'startCheck'; catalog?: unknown; reflector?: unknown }
  /** Starts a check (or joins the running one) and answers with the final report: the automation entry point. */
  | { type: 'runCheck'; catalog?: unknown; reflector?: unknown }
  | { type: 'cancelCheck' }
  /** The running report if any, else the last finished one. */
  | { type: 'getState' }
  | { type: 'getHistory' }
  /** What shared reports say about this network (only when sharing is on): the crowd view. */
  | { type: 'getCrowdStats' }
  /** Asks the collector for a newer signed catalog now (otherwise daily, when sharing is on). */
  | { type: 'refreshCatalog' }
  | { type: 'clearHistory' }
  /**
   * Names the network a finished check ran on, in its stored copies (history, and current if it is that one); an
   * empty name removes it. Answers the renamed report, or an error and nothing changed when the name is invalid.
   */
  | { type: 'setNetworkLabel'; reportId: string; label: string }
  /** Credentials for the call-test relay, or why there are none; fetches nothing while the setting is off. */
  | { type: 'getRelayCredentials' }
  /**
   * Runs the sustained call test through our relay and answers with its result: the configured relay, only while
   * the person allows it. `relay` (untrusted, validated), honoured by test builds only, lets a test supply credentials.
   */
  | { type: 'runCallTest'; duration: CallTestDuration; relay?: unknown }
  /** Progress of a call test, from the offscreen document that runs it (Chrome). */
  | { type: 'callTestProgress'; id: string; progress: CallTestProgress }
  /** Low-level probes, for diagnostics and tests. */
  | { type: 'probeIce'; targets: IceTarget[]; deadlineMs: number }
  | { type: 'probeHttp'; url: string; id?: string; deadlineMs: number }
  | { type: 'probeNat'; servers: IceTarget[]; deadlineMs: number }
  | { type: 'probeRtt'; target: IceTarget; samples: number; deadlineMs: number }
  | { type: 'probeLoss'; target: IceTarget; exchanges: number; deadlineMs: number }
  /** The ICE host's peer-connection counts: open now and the peak since it started. */
  | { type: 'iceStats' }
  /** An uncaught error in a context whose console nobody sees (the offscreen document), logged by the worker. */
  | { type: 'reportError'; where: string; message: string };

export type BackgroundResponse<T extends BackgroundRequest['type']> = {
  ping: { pong: true; version: string };
  startCheck: { reportId: string };
  runCheck: Report;
  cancelCheck: { cancelled: boolean };
  getState: { report: Report | null; running: boolean };
  getHistory: { reports: Report[] };
  getCrowdStats: { stats: CrowdStats | null };
  refreshCatalog: { result: 'updated' | 'current' | 'skipped' | 'rejected' };
  clearHistory: { cleared: true };
  setNetworkLabel: { report: Report };
  getRelayCredentials: { result: RelayCredentialsResult };
  runCallTest: CallTest;
  callTestProgress: { delivered: boolean };
  probeIce: { results: IceProbeResult[] };
  probeHttp: { result: HttpProbeResult };
  probeNat: { result: NatResult };
  probeRtt: { result: RttResult };
  probeLoss: { result: LossResult };
  reportError: { logged: true };
  iceStats: PeerConnectionStats;
}[T];

/** Errors cross the message boundary as data, never as a rejected promise without text. */
/** The prober's RTCPeerConnections (webrtc/peer-connections.ts): open now, most at once, reclaims after Chrome's limit and their 4 MB steps. */
export interface PeerConnectionStats {
  open: number;
  peak: number;
  reclaims: number;
  reclaimSteps: number;
}

export type Answer<T> = { ok: true; value: T } | { ok: false; error: string };

/** Work for whichever context owns RTCPeerConnection (Chrome offscreen document, Firefox background page). */
export type IceRequest =
  | { type: 'ice'; targets: IceTarget[]; deadlineMs: number }
  | { type: 'nat'; servers: IceTarget[]; deadlineMs: number }
  | { type: 'rtt'; target: IceTarget; samples: number; deadlineMs: number }
  | { type: 'loss'; target: IceTarget; exchanges: number; deadlineMs: number }
  /** The call test; `id` names its progress messages. */
  /**
   * `window`: a check's quick window (quick-call.ts), with its shared connect budget and shorter drain; `gated`: it
   * connects, then sends only once a `callGate` for the same `id` says so (call-gate.ts).
   */
  | { type: 'callTest'; id: string; relay: CallRelay; durationMs: number; window?: QuickCallWindow; gated?: boolean }
  /** The check's go-ahead for its gated window `id`: `go` false closes it without a packet of voice sent. */
  | { type: 'callGate'; id: string; go: boolean }
  /** Peer connections open now and at most at once (diagnostics and the benchmark). */
  | { type: 'stats' };

export type IceResponse<T extends IceRequest['type']> = {
  ice: IceProbeResult[];
  nat: NatResult;
  rtt: RttResult;
  loss: LossResult;
  callTest: CallTest;
  /** `asked`: the window was already waiting (else the decision waits for it). */
  callGate: { asked: boolean };
  stats: PeerConnectionStats;
}[T];

/** Messages to the offscreen document carry a target so other extension pages ignore them. */
export const OFFSCREEN_TARGET = 'offscreen';
export type OffscreenMessage = { target: typeof OFFSCREEN_TARGET; request: IceRequest };

/** The port name an open popup uses to receive progress. */
export const PROGRESS_PORT = 'progress';
export type ProgressMessage = { type: 'report'; report: Report };

/**
 * The port a popup opens to run a call test: it sends `start`, and hears progress and the end on it. `relay` is as in
 * `runCallTest` (automation only; the popup uses the configured relay).
 */
export const CALL_TEST_PORT = 'call-test';
export type CallTestPortRequest = { type: 'start'; duration: CallTestDuration; relay?: unknown };
export type CallTestPortMessage =
  /** A check's quick call window holds the relay: the test starts once it has ended. */
  | { type: 'waiting' }
  | { type: 'progress'; progress: CallTestProgress }
  | { type: 'done'; result: CallTest }
  /** A full test through the same relay server ended less than call-test-spacing.ts's window ago: none ran. */
  | { type: 'spaced'; waitMs: number }
  | { type: 'error'; message: string };

/** Storage keys (browser.storage.local). Documented in README for automation. */
export const STORAGE_KEYS = {
  current: 'check.current',
  history: 'check.history',
  settings: 'settings',
  shareQueue: 'share.queue',
  /** A catalog that replaces the bundled one (a verified newer one from the collector, or one a test supplies). */
  catalogOverride: 'catalog.override',
  /** When full call tests ended and through which relay servers (call-test-spacing.ts); never shared. */
  callTestSpacing: 'callTest.spacing',
} as const;
