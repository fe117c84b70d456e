// Runs one check (controls → app probes → DNS cross-checks → verdicts) over injected probes, one run at a time.
import { pathLossExchanges } from '../core/app-quality';
import type { CallRelay } from '../core/call-relay';
import type { CallTest } from '../core/call-test-result';
import type { Catalog, HttpTarget, IceTarget } from '../core/catalog';
import type { ConnectionType } from '../core/connection-type';
import { cutShort, fold, httpYield, iceYield, type Addition } from '../core/check-fold';
import { markResidual } from '../core/residual';
import { confirmPassMs, planApps, planConfirmation, planDns, planPaths, siblingsFirst, type ProbeTask } from '../core/check-plan';
import {
  APP_PASS,
  CONFIRM_CEILING,
  CONFIRM_QUEUE_MS,
  CONTROLS,
  GRACE_MS,
  PATHS,
  PHASE_SLACK_MS,
  QUEUED_DRAIN,
  baselineRtt,
  confirmDeadlines,
  deadlinesFor,
  isSlowLink,
  loadedRttEvidence,
  queueingMs,
  type ConfirmDeadlines,
  type ProbeDeadlines,
} from '../core/deadlines';
import { classifyDns, systemAnswerFromHttp } from '../core/dns';
import { isHttp3 } from '../core/http-timing';
import { parseIceUrl } from '../core/ice-url';
import { readNetwork } from '../core/network-context';
import { CONFIRMING_PASSES, isSilentHttp, isSilentIce } from '../core/silence';
import { LOSSY_PCT, lossFromBurst } from '../core/quality';
import { PeerConnectionLimitError } from '../core/device-limit';
import { runPool, type Clock, type PoolTask, type TaskOutcome } from '../core/pool';
import {
  REPORT_SCHEMA_VERSION,
  type DnsCheck,
  type HttpProbeResult,
  type IceProbeResult,
  type NatResult,
  type Observations,
  type Phase,
  type PhaseTime,
  type Report,
  type ReportStatus,
  type LossResult,
  type RttResult,
} from '../core/report';
import { QUICK_CALL_MS, quickCallFits, quickCallKept, quickCallLimitMs, quickCallWindow, type QuickCallWindow } from '../core/quick-call';
import { median, robustJitter, roundMs } from '../core/stats';
import { errorText } from '../core/error-text';
import type { Judgement } from '../core/verdict';


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

export interface CheckRun {
  reportId: string;
  /** Resolves with the final report (done, cancelled or failed); never rejects. */
  done: Promise<Report>;
}

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

export interface CheckRunner {
  /** Starts a check, or joins the running one (same id, same promise; `catalog` and `extras` are then ignored). */
  start(catalog: Catalog, extras?: CheckExtras): CheckRun;
  /** Cancels the running check; false when none is running. */
  cancel(): boolean;
  /** The running report, else the last finished one, else null. */
  current(): Report | null;
  isRunning(): boolean;
}

export function createCheckRunner(deps: CheckDeps, options: CheckOptions = {}): CheckRunner {
  const settings: Required<CheckOptions> = { ...DEFAULT_OPTIONS, ...options };
  let active: (CheckRun & { cancel(): void }) | null = null;
  let latest: Report | null = null;

  return {
    start(catalog, extras = {}) {
      if (active) return { reportId: active.reportId, done: active.done };
      const run = new Run(catalog, extras, deps, settings, (report) => {
        latest = report;
      });
      const done = run.execute().finally(() => {
        active = null;
      });
      active = { reportId: run.reportId, done, cancel: () => run.cancel() };
      return { reportId: active.reportId, done };
    },
    cancel() {
      if (!active) return false;
      active.cancel();
      return true;
    },
    current: () => latest,
    isRunning: () => active !== null,
  };
}

const defaultAfter: Clock['after'] = (ms, callback) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

const defaultWarn = (message: string, error?: unknown): void => console.warn(message, error);


/** Loaded-RTT samples: one at a time, this far apart, while the app probes run (each opens one RTCPeerConnection). */
const LOAD_SAMPLE_GAP_MS = 200;
/** Loaded samples in a row that must show no slow link before the quick call window sends, and the gap between them. */
const QUICK_CALL_SAMPLES = 2;
const QUICK_DECISION_GAP_MS = 50;

/** One check: schedules the passes the plan gives, folds each outcome into the report, publishes and saves. */
class Run {
  readonly reportId: string;
  private report: Report;
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly warn: (message: string, error?: unknown) => void;
  private finished = false;
  /** An error in our own code (e.g. the judge threw), or the browser's connection limit (probeBroke): ends the run as failed. */
  private fatal: { error: unknown } | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private cancelSaveTimer: (() => void) | null = null;
  /** Observations folded since the rows were last judged; published together at most every liveIntervalMs. */
  private pendingJudge: (() => void) | null = null;
  /** The control STUN server the idle RTT was measured to: the loaded samples go to the same one. */
  private rttTarget: IceTarget | undefined;
  /** Silence from the parallel pass, held back until the confirmation pass says whether it was ours. */
  private silences: { http: HttpProbeResult[]; ice: IceProbeResult[] } = { http: [], ice: [] };
  /** Tasks the parallel pass never started before its deadline (its pool narrowed on a slow link). */
  private unstarted: ProbeTask[] = [];
  /** The quick call window, once started (at most once); the check waits for it before its final answer. */
  private quickCall: Promise<void> | undefined;
  /** A loaded RTT sample of the app pass went unanswered: the link is treated as queued (appPass). */
  private loadedLost = false;
  /** Tells the quick call window, connecting, whether it may send; undefined before it starts and once told. */
  private decideQuickCall: ((go: boolean) => void) | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly extras: CheckExtras,
    private readonly deps: CheckDeps,
    private readonly options: Required<CheckOptions>,
    private readonly onPublish: (report: Report) => void,
  ) {
    this.clock = { now: () => deps.now(), after: deps.after ?? defaultAfter };
    this.warn = deps.warn ?? defaultWarn;
    this.reportId = deps.newId();
    this.startedAt = deps.now();
    const connectionType = deps.connectionType?.();
    this.report = {
      schema: REPORT_SCHEMA_VERSION,
      id: this.reportId,
      status: 'running',
      startedAt: new Date(deps.now()).toISOString(),
      extensionVersion: deps.meta.extensionVersion,
      catalogVersion: catalog.version,
      browser: deps.meta.browser,
      ...(connectionType === undefined ? {} : { connection: { type: connectionType } }),
      observations: { http: [], ice: [], dns: [] },
      apps: [],
    };
  }

  cancel(): void {
    if (!this.finished) this.controller.abort();
  }

  async execute(): Promise<Report> {
    try {
      this.record({});
      this.judgeNow();
      await this.saveChain;
      if (this.stopped()) return await this.stop();
      await this.phase('controls', () => this.controls());
      if (this.stopped()) return await this.stop();
      const observations = this.report.observations;
      const baseline = baselineRtt(
        observations,
        this.catalog.controls.http.map((t) => t.id),
      );
      const lossPct = observations.loss === undefined ? undefined : lossFromBurst(observations.loss);
      if (baseline !== undefined) this.publish({ ...this.report, baselineRttMs: roundMs(baseline) });
      await this.phase('apps', () => this.appPass(deadlinesFor(baseline, lossPct)));
      if (this.stopped()) return await this.stop();
      this.judgeNow();
      // Offline or behind a portal nothing more can be learnt: no DoH answer can come, and silence there is the gate's.
      if (readNetwork(this.catalog, this.report.observations).gate === undefined) {
        const confirm = confirmDeadlines(baseline, this.report.observations.loadedRtt?.medianMs, lossPct, this.loadedLost);
        await Promise.all([this.phase('confirm', () => this.confirmPass(confirm)), this.phase('dns', () => this.dns(deadlinesFor(baseline, lossPct)))]);
      }
      if (this.stopped()) return await this.stop();
      if (readNetwork(this.catalog, this.report.observations).gate === undefined) await this.phase('paths', () => this.pathsPass());
      if (this.stopped()) return await this.stop();
      // Told at the app pass at the latest; a window still waiting here would wait for ever.
      this.decideQuickCall?.(false);
      await this.quickCall;
      if (this.stopped()) return await this.stop();
      this.recordUnconfirmed();
      const judgement = this.deps.judge(this.catalog, this.report.observations, { final: true });
      return await this.finish('done', {
        apps: judgement.apps,
        overall: judgement.overall,
        ...(judgement.quality ? { quality: judgement.quality } : {}),
      });
    } catch (error) {
      return await this.finish('failed', { error: errorText(error) });
    }
  }

  /** Runs one phase, with its start and end in the report (the progress bar follows them). */
  private async phase(name: Phase, run: () => Promise<void>): Promise<void> {
    const at = (): number => roundMs(this.deps.now() - this.startedAt);
    const startMs = at();
    const mark = (entry: PhaseTime): void => {
      const others = (this.report.phases ?? []).filter((p) => p.phase !== name);
      this.publish({ ...this.report, phases: [...others, entry] });
    };
    mark({ phase: name, startMs });
    await run();
    mark({ phase: name, startMs, endMs: at() });
  }

  private stopped(): boolean {
    return this.fatal !== null || this.controller.signal.aborted;
  }

  private async stop(): Promise<Report> {
    if (this.fatal) return this.finish('failed', { error: errorText(this.fatal.error) });
    // What was measured stays in the report, unconfirmed silence included (it reads as no evidence).
    this.recordUnconfirmed();
    this.judgeNow();
    return this.finish('cancelled', {});
  }

  private async finish(status: Exclude<ReportStatus, 'running'>, extra: Partial<Report>): Promise<Report> {
    if (!this.finished) {
      this.pendingJudge?.();
      this.pendingJudge = null;
      this.publish({ ...this.report, ...extra, status, finishedAt: new Date(this.deps.now()).toISOString() });
      this.finished = true;
      // Probes that ignore signals (ICE) may still answer; nothing is recorded after this point.
      this.controller.abort();
      await this.saveNow();
    }
    return this.report;
  }

  // ---- recording ----

  /** Folds observations in; the rows are judged again soon (judgeSoon). Never throws. */
  private record(add: Addition): void {
    if (this.finished || this.fatal) return;
    this.report = { ...this.report, observations: fold(this.report.observations, add) };
    this.judgeSoon();
  }

  /**
   * Judging every row costs the whole engine; results arrive in bursts of dozens. So the rows (and the progress
   * update that carries them) follow at most every liveIntervalMs, and at once at each phase's end.
   */
  private judgeSoon(): void {
    if (this.pendingJudge) return;
    const cancel = this.clock.after(this.options.liveIntervalMs, () => {
      this.pendingJudge = null;
      this.judgeNow();
    });
    this.pendingJudge = cancel;
  }

  /** Only the per-app rows are live; the overall answer and quality wait for the end. A judge error ends the run. */
  private judgeNow(): void {
    this.pendingJudge?.();
    this.pendingJudge = null;
    if (this.finished || this.fatal) return;
    try {
      const { apps } = this.deps.judge(this.catalog, this.report.observations);
      this.publish({ ...this.report, apps });
    } catch (error) {
      this.fatal = { error };
      this.controller.abort();
    }
  }

  /**
   * A prober that broke says nothing about the network: its result stays absent. Except the browser's limit on
   * connections: a check that meets it cannot measure what is left, and judging apps from the rest would read
   * absence as findings (seen: every app "degraded" by local interference), so the check ends as failed, saying so.
   */
  private probeBroke(message: string, error: unknown): void {
    if (!(error instanceof PeerConnectionLimitError)) return this.warn(message, error);
    if (this.fatal !== null || this.finished) return;
    this.fatal = { error };
    this.controller.abort();
  }

  private publish(report: Report): void {
    if (this.finished) return;
    this.report = report;
    this.onPublish(report);
    try {
      this.deps.onUpdate(report);
    } catch (error) {
      // A closed popup port must not end the check.
      this.warn('progress listener failed', error);
    }
    if (report.status === 'running') this.scheduleSave();
  }

  private saveNow(): Promise<void> {
    this.cancelSaveTimer?.();
    this.cancelSaveTimer = null;
    this.lastSaveAt = this.deps.now();
    const snapshot = this.report;
    // Chained so a slow progress save can never land after the final one.
    this.saveChain = this.saveChain
      .then(() => this.deps.save(snapshot))
      .catch((error: unknown) => this.warn('saving the report failed', error));
    return this.saveChain;
  }

  private scheduleSave(): void {
    if (this.cancelSaveTimer) return;
    const wait = this.lastSaveAt + this.options.saveIntervalMs - this.deps.now();
    if (wait <= 0) {
      void this.saveNow();
      return;
    }
    this.cancelSaveTimer = this.clock.after(wait, () => {
      this.cancelSaveTimer = null;
      if (!this.finished) void this.saveNow();
    });
  }

  private pool<T>(
    tasks: PoolTask<T>[],
    deadlineMs: number,
    onSettled: (index: number, outcome: TaskOutcome<T>) => void,
    concurrency: number | (() => number) = this.options.concurrency,
  ) {
    return runPool(tasks, {
      concurrency,
      deadlineMs,
      clock: this.clock,
      signal: this.controller.signal,
      onSettled,
    });
  }

  // ---- phases ----

  /** Control HTTP fetches in parallel with NAT → RTT → loss over the control STUN servers. */
  private async controls(): Promise<void> {
    const phaseStart = this.deps.now();
    const http = this.catalog.controls.http;
    const tasks: PoolTask<void>[] = http.map((target) => ({
      deadlineMs: CONTROLS.httpMs + GRACE_MS,
      run: async (signal) => {
        const result = await this.deps.probeHttp(target, CONTROLS.httpMs, signal);
        if (signal.aborted) return;
        this.record({ http: [{ ...result, id: target.id }] });
        if (target.http3 !== undefined && result.outcome === 'reachable' && !isHttp3(result.timing?.protocol)) await this.awaitQuic(target, phaseStart, signal);
      },
    }));
    tasks.push({
      deadlineMs: CONTROLS.phaseMs + GRACE_MS,
      run: (signal) => this.natRttLoss(phaseStart, signal),
    });
    await this.pool(tasks, CONTROLS.phaseMs + GRACE_MS, (index, outcome) => {
      const target = http[index];
      if (target) {
        // A control that answered was recorded by its task; a thrown or timed-out one is recorded here.
        if (outcome.kind === 'done') return;
        const { results, problem } = httpYield([target.id], outcome, CONTROLS.httpMs, 1);
        if (problem !== undefined) this.warn(problem.message, problem.error);
        if (results.length > 0) this.record({ http: results });
      } else if (outcome.kind === 'failed') this.probeBroke('NAT/RTT/loss probe failed', outcome.error);
    });
  }

  /**
   * A browser learns a server's HTTP/3 from its Alt-Svc on the first answer and tries QUIC on a later
   * request (racing TCP, and keeping TCP if UDP 443 is dropped). A few more fetches, a moment apart,
   * show whether QUIC gets through; the last protocol seen is the evidence.
   */
  private async awaitQuic(target: HttpTarget, phaseStart: number, signal: AbortSignal): Promise<void> {
    const started = this.deps.now();
    let attempts = 0;
    let last: HttpProbeResult | undefined;
    while (attempts < CONTROLS.quicAttempts && !signal.aborted) {
      await this.pause(CONTROLS.quicGapMs, signal);
      const left = CONTROLS.httpMs - (this.deps.now() - phaseStart);
      if (signal.aborted || left < CONTROLS.quicMinMs) break;
      last = await this.deps.probeHttp(target, left, signal);
      attempts += 1;
      if (last.outcome !== 'reachable' || isHttp3(last.timing?.protocol)) break;
    }
    if (signal.aborted || attempts === 0) return;
    const protocol = last?.outcome === 'reachable' ? last.timing?.protocol : undefined;
    this.record({ quic: [{ targetId: target.id, attempts, ...(protocol === undefined ? {} : { protocol }), ms: roundMs(this.deps.now() - started) }] });
  }

  /** Resolves after `ms`, or at once when `signal` aborts. */
  private pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const cancel = this.clock.after(ms, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Sequential, so no probe's timing is disturbed by another's connections. */
  private async natRttLoss(phaseStart: number, signal: AbortSignal): Promise<void> {
    const servers = this.catalog.controls.stun;
    const nat = await this.deps.probeNat(servers, CONTROLS.natMs);
    if (signal.aborted) return;
    this.record({ nat });
    const first = nat.answered.map((id) => servers.find((s) => s.id === id)).find((s) => s !== undefined);
    if (!first) return;
    this.rttTarget = first;
    const left = () => CONTROLS.phaseMs - (this.deps.now() - phaseStart);
    const rttMs = Math.min(CONTROLS.rttMaxMs, left());
    if (rttMs < CONTROLS.rttMinMs) return;
    const rtt = await this.deps.probeRtt(first, CONTROLS.rttSamples, rttMs);
    if (signal.aborted) return;
    this.record({ rtt });
    this.startQuickCall(rtt.samples.length > 0 ? rtt.medianMs : undefined);
    const lossMs = Math.min(CONTROLS.lossMaxMs, left());
    if (this.deps.probeLoss === undefined || lossMs < CONTROLS.lossMinMs) return;
    const loss = await this.deps.probeLoss(first, CONTROLS.lossExchanges, lossMs);
    if (!signal.aborted) this.record({ loss });
  }

  /**
   * Runs probe tasks in the pool, folding each outcome in. In the parallel pass silence goes to `held.silence` and
   * a task the pass never started (its pool narrowed on a slow link, its deadline came) to `held.unstarted`.
   * `settled` hears of every task once its outcome is folded in.
   */
  private async runTasks(
    tasks: readonly ProbeTask[],
    passMs: number,
    concurrency: number | (() => number),
    attempts: (task: ProbeTask) => number,
    held?: { silence(silent: { http: HttpProbeResult[]; ice: IceProbeResult[] }): void; unstarted(task: ProbeTask): void },
    settled?: (task: ProbeTask) => void,
  ): Promise<void> {
    const poolTasks: PoolTask<ProbeValue>[] = tasks.map((task) => {
      switch (task.kind) {
        case 'ice': {
          const representatives = task.groups.flatMap(({ targets }) => targets.slice(0, 1));
          return {
            deadlineMs: task.deadlineMs + GRACE_MS,
            ...(task.lane === undefined ? {} : { lane: task.lane }),
            run: async (): Promise<ProbeValue> => {
              // In the parallel pass a plain-TCP TURN probe goes only where its TLS siblings answered: where they were
              // silent it waits for their second probe (check-plan.ts orderConfirmation), so it cannot silence them.
              if (held && task.afterTls !== undefined && !task.afterTls.every((id) => this.answered(id))) return { kind: 'deferred' };
              return { kind: 'ice', results: await this.deps.probeIce(representatives, task.deadlineMs) };
            },
          };
        }
        case 'http': {
          const [target] = task.targets;
          return {
            deadlineMs: task.deadlineMs + GRACE_MS,
            ...(task.lane === undefined ? {} : { lane: task.lane }),
            run: async (signal) => {
              if (!target) throw new Error('empty target group');
              return { kind: 'http', result: await this.deps.probeHttp(target, task.deadlineMs, signal) };
            },
          };
        }
        default: {
          const unreachable: never = task;
          return unreachable;
        }
      }
    });
    await this.pool(
      poolTasks,
      passMs,
      (index, outcome) => {
        const task = tasks[index];
        if (!task) return;
        // Never started, or stopped by the pass's end before its own deadline, or waiting for its TLS siblings: not
        // probed yet, so probed later.
        const deferred = outcome.kind === 'done' && outcome.value.kind === 'deferred';
        if (held && (deferred || outcome.kind === 'skipped' || cutShort(outcome, task.deadlineMs)) && !this.stopped()) {
          held.unstarted(task);
          return;
        }
        const { http, ice } = this.yieldOf(task, outcome, attempts(task));
        const silent = { http: http.filter(isSilentHttp), ice: ice.filter(isSilentIce) };
        if (held && silent.http.length + silent.ice.length > 0) {
          held.silence(silent);
          this.record({ http: http.filter((r) => !isSilentHttp(r)), ice: ice.filter((r) => !isSilentIce(r)) });
        } else this.record({ http, ice });
        settled?.(task);
      },
      concurrency,
    );
  }

  /** Whether a target has answered in this check so far. */
  private answered(id: string): boolean {
    return this.report.observations.ice.some((r) => r.id === id && r.outcome === 'reachable');
  }

  /** A task's outcome as results (check-fold.ts), with problems in our own code logged. */
  private yieldOf(task: ProbeTask, outcome: TaskOutcome<ProbeValue>, attempts: number): { http: HttpProbeResult[]; ice: IceProbeResult[] } {
    switch (task.kind) {
      case 'http': {
        const value = outcome.kind === 'done' ? (outcome.value.kind === 'http' ? { ...outcome, value: outcome.value.result } : null) : outcome;
        if (value === null) return { http: [], ice: [] };
        const { results, problem } = httpYield(task.targets.map((t) => t.id), value, task.deadlineMs, attempts);
        if (problem !== undefined) this.warn(problem.message, problem.error);
        return { http: results, ice: [] };
      }
      case 'ice': {
        const value = outcome.kind === 'done' ? (outcome.value.kind === 'ice' ? { ...outcome, value: outcome.value.results } : null) : outcome;
        if (value === null) return { http: [], ice: [] };
        const { results, problem } = iceYield(task.groups, value, task.deadlineMs, attempts);
        // The prober broke, which says nothing about the network: no result rather than a false "blocked".
        if (problem !== undefined) this.probeBroke(problem.message, problem.error);
        const residual = this.extras.residual;
        return { http: [], ice: residual === undefined ? results : results.map((r) => markResidual(r, residual)) };
      }
      default: {
        const unreachable: never = task;
        return unreachable;
      }
    }
  }

  /**
   * Every app target at once (a bounded pool). Silence is held back for the confirmation pass; meanwhile RTT
   * samples to the control STUN server measure what this pass's own traffic does to the link.
   */
  private async appPass(deadlines: ProbeDeadlines): Promise<void> {
    const plan = planApps(this.catalog, deadlines, this.report.observations.http, this.options.iceBatchSize);
    if (plan.reused.length > 0) this.record({ http: plan.reused });
    const sampling = new AbortController();
    // Where the link's load can be watched, the pass opens with a part of the pool and widens it once a sample
    // shows no queue, or narrows it to a few probes if one does.
    let concurrency = this.rttTarget === undefined ? this.options.concurrency : Math.min(this.options.concurrency, APP_PASS.openingConcurrency);
    const idle = this.report.observations.rtt?.samples.length ? this.report.observations.rtt.medianMs : undefined;
    // The quick call window sends only once QUICK_CALL_SAMPLES samples in a row show no slow link: the first can leave
    // before the pass's own traffic has queued anything, and a window sent on a 256/128 kbit/s link would fill it with
    // its voice streams. Until it is told, the samples follow each other closely.
    let fitting = 0;
    let decided = this.decideQuickCall === undefined;
    const decide = (go: boolean): void => {
      if (decided) return;
      decided = true;
      this.decideQuickCall?.(go);
    };
    /** When the oldest sample still unanswered went out (one that came back empty was lost: still unanswered). */
    let waitingSince: number | undefined;
    const samples = this.sampleLoad(sampling.signal, {
      onSample: (sampleMs) => {
        waitingSince = undefined;
        if (!quickCallFits(idle, sampleMs)) decide(false);
        else if (++fitting >= QUICK_CALL_SAMPLES) decide(true);
        concurrency = (queueingMs(idle, sampleMs) ?? 0) >= CONFIRM_QUEUE_MS ? APP_PASS.queuedConcurrency : this.options.concurrency;
      },
      onSend: (at) => {
        waitingSince ??= at;
      },
      gapMs: () => (decided ? LOAD_SAMPLE_GAP_MS : QUICK_DECISION_GAP_MS),
      onLost: () => {
        // No answer within the probe's deadline, under the pass's load: a full queue dropped it, or loss. Either way
        // the pass goes a few at a time, and so does the confirmation pass after a drain (lab slow-256k-relay, once in
        // twenty checks: every loaded sample lost, the pool stayed wide, both passes crowded the 256/128 kbit/s link,
        // and web hosts and reflected ports read silent twice).
        this.loadedLost = true;
        concurrency = APP_PASS.queuedConcurrency;
      },
    });
    await this.runTasks(plan.tasks, deadlines.appPhaseMs, () => concurrency, () => 1, {
      silence: (silent) => {
        this.silences.http.push(...silent.http);
        this.silences.ice.push(...silent.ice);
      },
      unstarted: (task) => this.unstarted.push(task),
    });
    sampling.abort();
    // Not told yet: a sample did not come back during the pass. The time since the oldest unanswered one was sent is
    // the least its round trip can take: where that already reads as a slow link (a queue, or samples lost under
    // load), the window does not send; where it does not (a pass over within a few round trips), it sends now, beside
    // the passes that follow. (Between samples, with every one answered and fitting, nothing says otherwise.)
    decide(quickCallFits(idle, waitingSince === undefined ? 0 : this.deps.now() - waitingSince));
    const loaded = await samples;
    if (this.rttTarget !== undefined && loaded.length > 0) this.record({ loadedRtt: rttFrom(this.rttTarget.id, loaded) });
  }

  /**
   * The quick call window beside the app probes, only with the relay the person allowed, and only where a loaded
   * sample can tell the link (a control STUN server answered). It connects to our relay as soon as the controls have
   * measured the idle RTT, beside their loss burst (a TURN allocation and the handshakes: a few small packets, and
   * none of the RTT samples is taken meanwhile), and sends its voice stream only once two RTT samples in a row under
   * the app pass's load show the link is not slow (appPass; quick-call.ts quickCallFits says why never on a slow one).
   * Connected before that is known, the window fits the check's budget (QUICK_CALL_MS): started with the app pass,
   * connecting under its load took 0.5-0.6 s in the lab, past that sample. A slow link, a cancel or a failure
   * closes it unsent, and the check does not wait for it. Its result is the health of a call path to our relay,
   * kept apart from every app's evidence: the judge never reads it, so it can make no app read blocked (a censor may
   * treat our addresses differently).
   */
  private startQuickCall(idleRttMs: number | undefined): void {
    const { callRelay } = this.extras;
    const { probeCall } = this.deps;
    // A cancelled or failed check sends nothing more (the ICE host cannot take a loopback back once started).
    if (callRelay === undefined || probeCall === undefined || this.quickCall !== undefined || this.rttTarget === undefined || idleRttMs === undefined || this.stopped()) return;
    let decide: (go: boolean) => void = () => undefined;
    const decided = new Promise<boolean>((resolve) => {
      decide = resolve;
    });
    const signal = this.controller.signal;
    const refuse = (): void => this.decideQuickCall?.(false);
    this.decideQuickCall = (go) => {
      this.decideQuickCall = undefined;
      signal.removeEventListener('abort', refuse);
      decide(go && !this.stopped());
    };
    signal.addEventListener('abort', refuse, { once: true });
    const window = quickCallWindow(idleRttMs);
    const probing = probeCall(callRelay, QUICK_CALL_MS, window, decided).then(
      (test) => ({ test }),
      (error: unknown) => ({ error }),
    );
    this.quickCall = this.phase('call', async () => {
      if (!(await decided)) return;
      // A window the ICE host has not answered by every budget's end is not measured; it closes its own connections.
      const ran = await Promise.race([probing, this.pause(quickCallLimitMs(window, GRACE_MS), signal).then(() => null)]);
      if (ran === null || this.stopped()) return;
      // Not app evidence: even the browser's connection limit, met here, only leaves the window unmeasured (app
      // probes that meet it end the check themselves).
      if ('error' in ran) return this.warn('quick call window failed', ran.error);
      const kept = quickCallKept(ran.test);
      if (kept !== undefined) this.record({ callTest: kept });
    });
  }

  /**
   * Sequential single RTT samples to the idle RTT's server while `signal` is live. An unanswered sample is left
   * out (no made-up figure); one still in flight when the pass ends is not waited for.
   */
  private async sampleLoad(
    signal: AbortSignal,
    on: { onSample(ms: number): void; onSend(at: number): void; onLost(): void; gapMs(): number },
  ): Promise<number[]> {
    const { onSample, onSend, onLost, gapMs } = on;
    const target = this.rttTarget;
    const samples: number[] = [];
    if (target === undefined) return samples;
    const stop = new Promise<null>((resolve) => {
      if (signal.aborted) resolve(null);
      else signal.addEventListener('abort', () => resolve(null), { once: true });
    });
    while (!signal.aborted && !this.stopped()) {
      onSend(this.deps.now());
      const sample = await Promise.race([this.deps.probeRtt(target, 1, CONFIRM_CEILING.iceUdpMs).catch(() => null), stop]);
      if (sample === null) break;
      if (sample.samples.length === 0) onLost();
      samples.push(...sample.samples);
      for (const ms of sample.samples) onSample(ms);
      await this.pause(gapMs(), signal);
    }
    return samples;
  }

  /**
   * The parallel pass's silences, probed again a few at a time now that the link has drained, and the tasks it never
   * started, probed for the first time (their silence then is one pass's, which counts for nothing).
   */
  private async confirmPass(deadlines: ConfirmDeadlines): Promise<void> {
    const { http, ice } = this.report.observations;
    const answered = new Set([...http, ...ice].filter((r) => r.outcome === 'reachable').map((r) => r.id));
    const again = planConfirmation(this.catalog, this.silences, this.report.observations.nat, deadlines, this.options.iceBatchSize, answered);
    const first = this.unstarted.map((task) => withDeadline(task, deadlines));
    this.unstarted = [];
    if (again.length + first.length === 0) return;
    if (Number.isFinite(deadlines.concurrency)) await this.phase('drain', () => this.drain());
    if (this.stopped()) return;
    // A plain-TCP TURN probe that waited for its TLS siblings (residual.ts) runs beside the pass once their second
    // probes, sent first, have ended (check-plan.ts siblingsFirst), with its own deadline: the pass's end never cuts it.
    const firstTime = new Set<ProbeTask>(first.filter((task) => task.afterTls === undefined));
    const { tasks, waits } = siblingsFirst(
      [...again, ...firstTime],
      first.filter((task) => task.afterTls !== undefined),
    );
    const fromFirst = new Set([...firstTime].flatMap(idsOf));
    const beside: Promise<void>[] = [];
    const pending = waits.map((wait) => ({ plain: wait.plain, after: new Set(wait.after) }));
    const release = (): void => {
      for (const wait of pending.filter((w) => w.after.size === 0)) {
        pending.splice(pending.indexOf(wait), 1);
        if (this.stopped()) continue;
        const { plain } = wait;
        beside.push(this.runTasks([plain], plain.deadlineMs + GRACE_MS + PHASE_SLACK_MS, 1, () => 1));
      }
    };
    release();
    // By id: siblingsFirst hands back copies, and a TLS sibling the parallel pass never started is a first attempt.
    const attempts = (task: ProbeTask): number => (idsOf(task).every((id) => fromFirst.has(id)) ? 1 : CONFIRMING_PASSES);
    if (tasks.length > 0) {
      await this.runTasks(tasks, confirmPassMs(tasks, deadlines), deadlines.concurrency, attempts, undefined, (task) => {
        for (const wait of pending) wait.after.delete(task);
        release();
      });
    }
    await Promise.all(beside);
    this.judgeNow();
  }

  /**
   * Waits for the link the parallel pass queued to drain (deadlines.ts QUEUED_DRAIN): RTT samples to the idle RTT's
   * server until one is back near the idle RTT. An unanswered sample is no news; the wait ends at its limit anyway.
   */
  private async drain(): Promise<void> {
    const target = this.rttTarget;
    const idle = this.report.observations.rtt?.medianMs;
    if (target === undefined || idle === undefined) return;
    const started = this.deps.now();
    const left = () => QUEUED_DRAIN.maxMs - (this.deps.now() - started);
    while (!this.stopped() && left() > 0) {
      const sample = await this.deps.probeRtt(target, 1, Math.min(CONFIRM_CEILING.iceUdpMs, left())).catch(() => null);
      const [ms] = sample?.samples ?? [];
      if (ms !== undefined && (queueingMs(idle, ms) ?? 0) < CONFIRM_QUEUE_MS) return;
      if (left() <= 0) return;
      await this.pause(Math.min(QUEUED_DRAIN.gapMs, left()), this.controller.signal);
    }
  }

  /**
   * RTT and loss to each app's own media server (one per app, app-quality.ts), every server at once and each one's
   * probes in sequence, after the other passes so no other probe's traffic shares the link. A server that answered
   * gets both; one silent in both passes gets the loss burst alone, a third and far larger test (32 transactions):
   * an answer to any of them shows a lossy path, not a blocked one (silence.ts heardInBurst).
   */
  private async pathsPass(): Promise<void> {
    const byUrl = planPaths(this.catalog, this.report.observations.ice);
    // On a slow link the app pass queued, a burst to every app's server at once (32 TURN exchanges each, ~150 kB for
    // sixteen apps) takes seconds on a 128 kbit/s uplink and measures our own queue (lab slow-256k: bursts came back
    // with nothing sent or answered), and RTT samples beside them read that queue too. There an answering path is not
    // measured at all: the app has no quality of its own (absent, never a quality scored without its loss), and the
    // connection's, measured by the controls, stands. A silent one keeps its burst, the test that tells a lossy path
    // from a dropped one.
    const queued = this.linkQueued();
    /** Answering paths whose burst, sent alongside the others, read lossy: measured again below. */
    const lossy: IceTarget[][] = [];
    await Promise.all(
      byUrl.map(async ({ targets, rtt: heard }) => {
        const [first] = targets;
        if (first === undefined || this.stopped() || (heard && queued)) return;
        try {
          if (heard) {
            const rtt = await this.deps.probeRtt(first, PATHS.rttSamples, PATHS.rttMs);
            if (this.stopped()) return;
            this.record({ paths: { rtt: targets.map((t) => ({ ...rtt, targetId: t.id })) } });
          }
          const loss = await this.pathLoss(targets);
          if (heard && byUrl.length > 1 && loss !== undefined && (lossFromBurst(loss) ?? 0) >= LOSSY_PCT) lossy.push(targets);
        } catch (error) {
          // A prober that broke says nothing about the path: no figure rather than a made-up one.
          this.probeBroke('path probe failed', error);
        }
      }),
    );
    // Every path's burst goes out at once; on a slow link (the lab's 1 Mbit/s bucket) they can overflow its queue
    // together, and our own traffic must not read as an app's lossy path. So a path that read lossy is measured again
    // with only the other lossy ones, and that figure stands: loss aimed at the app's servers shows again.
    await Promise.all(lossy.map((targets) => this.pathLoss(targets).catch((error: unknown) => this.probeBroke('path probe failed', error))));
  }

  /**
   * Whether the app pass's own traffic queued the link as a slow link does: the verdict's SLOW_LINK test, two loaded
   * samples at least (deadlines.ts). One late sample, as a busy CPU gives, is not enough to leave loss unmeasured (lab
   * jitsi-loss-30 read Jitsi works once when one sample was).
   */
  private linkQueued(): boolean {
    // A loaded sample lost under the pass's load (appPass) reads as a queue here too: bursts would measure it.
    if (this.loadedLost) return true;
    const { rtt, loadedRtt } = this.report.observations;
    if (rtt === undefined || rtt.samples.length === 0) return false;
    return isSlowLink(rtt.medianMs, loadedRttEvidence(loadedRtt));
  }

  /** One loss burst to a path's server, recorded for every target sharing its URL; undefined when none was sent. */
  private async pathLoss(targets: readonly IceTarget[]): Promise<LossResult | undefined> {
    const [first] = targets;
    const { probeLoss } = this.deps;
    if (first === undefined || probeLoss === undefined || this.stopped()) return undefined;
    const loss = await probeLoss(first, pathLossExchanges(first), PATHS.lossMs);
    if (this.stopped()) return undefined;
    this.record({ paths: { loss: targets.map((t) => ({ ...loss, targetId: t.id })) } });
    return loss;
  }

  /** Silences the confirmation pass did not reach (cancelled, gated, out of time): recorded as seen once, which is no evidence. */
  private recordUnconfirmed(): void {
    const seen = new Set([...this.report.observations.http.map((r) => r.id), ...this.report.observations.ice.map((r) => r.id)]);
    const http = this.silences.http.filter((r) => !seen.has(r.id));
    const ice = this.silences.ice.filter((r) => !seen.has(r.id));
    this.silences = { http: [], ice: [] };
    if (http.length + ice.length > 0) this.record({ http, ice });
  }

  /** DoH cross-check for every host the browser could not resolve or resolved to a bogon. */
  private async dns(deadlines: ProbeDeadlines): Promise<void> {
    const allow = { allow: this.options.bogonAllow };
    const groups = planDns(this.catalog, this.report.observations.http, allow);
    if (groups.length === 0) return;
    const tasks: PoolTask<DnsCheck | null>[] = groups.map(({ group }) => ({
      deadlineMs: deadlines.dnsMs + GRACE_MS,
      run: async (signal) => {
        const [first] = group;
        if (!first) return null;
        return this.deps.dnsCheck(first.target, first.result, deadlines.dnsMs, signal);
      },
    }));
    await this.pool(tasks, deadlines.dnsMs + GRACE_MS + PHASE_SLACK_MS, (index, outcome) => {
      const { host, group } = groups[index] ?? { host: '', group: [] };
      const [first] = group;
      if (!first) return;
      let check: Omit<DnsCheck, 'targetId' | 'host'>;
      switch (outcome.kind) {
        case 'done':
          if (outcome.value === null) return;
          check = outcome.value;
          break;
        case 'failed':
        case 'timeout': {
          if (outcome.kind === 'failed') this.warn('DNS cross-check failed', outcome.error);
          // No DoH answer in time: as the DoH endpoint being unreachable, which is inconclusive.
          const reason = outcome.kind === 'failed' ? errorText(outcome.error) : 'timeout';
          check = classifyDns({ system: systemAnswerFromHttp(first.result), doh: { kind: 'failed', reason } }, allow);
          break;
        }
        case 'skipped':
        case 'aborted':
          return;
        default: {
          const unreachable: never = outcome;
          return unreachable;
        }
      }
      const { system, doh, verdict } = check;
      this.record({ dns: group.map(({ target }) => ({ targetId: target.id, host, system, doh, verdict })) });
    });
  }
}

/** A task with the confirmation pass's deadline for its kind of probe. */
function withDeadline(task: ProbeTask, deadlines: ConfirmDeadlines): ProbeTask {
  if (task.kind === 'http') return { ...task, deadlineMs: deadlines.httpMs };
  const udp = task.groups.every((g) => parseIceUrl(g.url)?.transport === 'udp');
  return { ...task, deadlineMs: udp ? deadlines.iceUdpMs : deadlines.iceTcpMs };
}

/** The catalog ids a task probes. */
function idsOf(task: ProbeTask): string[] {
  return task.kind === 'http' ? task.targets.map((t) => t.id) : task.groups.flatMap((g) => g.targets.map((t) => t.id));
}

/** What a pool task hands back: tagged, so an outcome is read by the kind of task that made it. */
type ProbeValue = { kind: 'http'; result: HttpProbeResult } | { kind: 'ice'; results: IceProbeResult[] } | { kind: 'deferred' };

/** Loaded-RTT samples as an RttResult (the same shape as the idle one). */
function rttFrom(targetId: string, samples: readonly number[]): RttResult {
  const middle = median(samples);
  const spread = robustJitter(samples);
  return { targetId, samples: [...samples], ...(middle === undefined ? {} : { medianMs: roundMs(middle) }), ...(spread === undefined ? {} : { jitterMs: roundMs(spread) }) };
}
