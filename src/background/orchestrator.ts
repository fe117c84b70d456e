// Runs one check (controls → app probes → DNS cross-checks → verdicts) over injected probes, one run at a time.
import type { Catalog, HttpTarget, IceTarget } from '../core/catalog';
import { iceDeadlineResult } from '../core/classify-ice';
import { CONTROLS, GRACE_MS, PHASE_SLACK_MS, baselineRtt, deadlinesFor, type ProbeDeadlines } from '../core/deadlines';
import { classifyDns, isBogon, isIpAddress, isNameError, systemAnswerFromHttp } from '../core/dns';
import { parseIceUrl } from '../core/ice-url';
import { isHttp3 } from '../core/http-timing';
import { lossFromBurst } from '../core/quality';
import { runPool, type Clock, type PoolTask, type TaskOutcome } from '../core/pool';
import {
  REPORT_SCHEMA_VERSION,
  type AppVerdict,
  type DnsCheck,
  type HttpProbeResult,
  type IceProbeResult,
  type NatResult,
  type Observations,
  type Overall,
  type Quality,
  type Report,
  type ReportStatus,
  type LossResult,
  type QuicResult,
  type RttResult,
} from '../core/report';
import { roundMs } from '../core/stats';

export interface Judgement {
  apps: AppVerdict[];
  overall: Overall;
  quality?: Quality;
}

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
  /** Compares what the browser resolved for the target's host with DoH; null when there is nothing to compare. */
  dnsCheck(target: HttpTarget, httpResult: HttpProbeResult, deadlineMs: number, signal: AbortSignal): Promise<DnsCheck | null>;
  judge(catalog: Catalog, observations: Observations): Judgement;
  now(): number;
  /** A UUID (the report schema requires one). */
  newId(): string;
  save(report: Report): Promise<void>;
  /** Called with a fresh report object on every change (progress for an open popup). */
  onUpdate(report: Report): void;
  meta: { extensionVersion: string; browser: Report['browser'] };
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
  /** CIDR blocks not to treat as bogons (the lab's 198.18.0.0/15, loopback fixtures). */
  bogonAllow?: readonly string[];
}

export const DEFAULT_OPTIONS: Required<CheckOptions> = {
  concurrency: 32,
  iceBatchSize: 6,
  saveIntervalMs: 500,
  bogonAllow: [],
};

export interface CheckRun {
  reportId: string;
  /** Resolves with the final report (done, cancelled or failed); never rejects. */
  done: Promise<Report>;
}

export interface CheckRunner {
  /** Starts a check, or joins the running one (same id, same promise; `catalog` is then ignored). */
  start(catalog: Catalog): CheckRun;
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
    start(catalog) {
      if (active) return { reportId: active.reportId, done: active.done };
      const run = new Run(catalog, deps, settings, (report) => {
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Targets sharing one URL are probed once; the result is copied to every id. */
function groupByUrl<T extends { url: string }>(targets: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const target of targets) {
    const group = groups.get(target.url);
    if (group) group.push(target);
    else groups.set(target.url, [target]);
  }
  return groups;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) chunks.push(items.slice(i, i + Math.max(1, size)));
  return chunks;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

/** One check. Every probe outcome goes through `record`, which republishes the report. */
class Run {
  readonly reportId: string;
  private report: Report;
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  private readonly warn: (message: string, error?: unknown) => void;
  private finished = false;
  /** An error in our own code (e.g. the judge threw): ends the run as failed. */
  private fatal: { error: unknown } | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private cancelSaveTimer: (() => void) | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly deps: CheckDeps,
    private readonly options: Required<CheckOptions>,
    private readonly onPublish: (report: Report) => void,
  ) {
    this.clock = { now: () => deps.now(), after: deps.after ?? defaultAfter };
    this.warn = deps.warn ?? defaultWarn;
    this.reportId = deps.newId();
    this.report = {
      schema: REPORT_SCHEMA_VERSION,
      id: this.reportId,
      status: 'running',
      startedAt: new Date(deps.now()).toISOString(),
      extensionVersion: deps.meta.extensionVersion,
      catalogVersion: catalog.version,
      browser: deps.meta.browser,
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
      await this.saveChain;
      if (this.stopped()) return await this.stop();
      await this.controls();
      if (this.stopped()) return await this.stop();
      const baseline = baselineRtt(
        this.report.observations,
        this.catalog.controls.http.map((t) => t.id),
      );
      const { loss } = this.report.observations;
      const deadlines = deadlinesFor(baseline, loss === undefined ? undefined : lossFromBurst(loss));
      if (baseline !== undefined) this.publish({ ...this.report, baselineRttMs: roundMs(baseline) });
      await this.apps(deadlines);
      if (this.stopped()) return await this.stop();
      // Offline or behind a portal, a DoH answer cannot come and would not change the answer: do not wait for it.
      const gated = this.deps.judge(this.catalog, this.report.observations).overall.reasons.some((r) => r === 'OFFLINE' || r === 'CAPTIVE_PORTAL');
      if (!gated) await this.dns(deadlines);
      if (this.stopped()) return await this.stop();
      const judgement = this.deps.judge(this.catalog, this.report.observations);
      return await this.finish('done', {
        apps: judgement.apps,
        overall: judgement.overall,
        ...(judgement.quality ? { quality: judgement.quality } : {}),
      });
    } catch (error) {
      return await this.finish('failed', { error: errorText(error) });
    }
  }

  private stopped(): boolean {
    return this.fatal !== null || this.controller.signal.aborted;
  }

  private async stop(): Promise<Report> {
    if (this.fatal) return this.finish('failed', { error: errorText(this.fatal.error) });
    return this.finish('cancelled', {});
  }

  private async finish(status: Exclude<ReportStatus, 'running'>, extra: Partial<Report>): Promise<Report> {
    if (!this.finished) {
      this.publish({ ...this.report, ...extra, status, finishedAt: new Date(this.deps.now()).toISOString() });
      this.finished = true;
      // Probes that ignore signals (ICE) may still answer; nothing is recorded after this point.
      this.controller.abort();
      await this.saveNow();
    }
    return this.report;
  }

  // ---- recording ----

  /** Appends observations, recomputes the per-app verdicts, publishes. Never throws: a judge error ends the run. */
  private record(add: Partial<{ http: HttpProbeResult[]; ice: IceProbeResult[]; dns: DnsCheck[]; nat: NatResult; rtt: RttResult; loss: LossResult; quic: QuicResult[] }>): void {
    if (this.finished || this.fatal) return;
    const old = this.report.observations;
    const observations: Observations = {
      ...old,
      http: add.http ? [...old.http, ...add.http] : old.http,
      ice: add.ice ? [...old.ice, ...add.ice] : old.ice,
      dns: add.dns ? [...old.dns, ...add.dns] : old.dns,
      ...(add.nat ? { nat: add.nat } : {}),
      ...(add.rtt ? { rtt: add.rtt } : {}),
      ...(add.loss ? { loss: add.loss } : {}),
      ...(add.quic ? { quic: [...(old.quic ?? []), ...add.quic] } : {}),
    };
    try {
      // Only the per-app rows are live; the overall answer and quality wait for the end.
      const { apps } = this.deps.judge(this.catalog, observations);
      this.publish({ ...this.report, observations, apps });
    } catch (error) {
      this.fatal = { error };
      this.controller.abort();
    }
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

  private pool<T>(tasks: PoolTask<T>[], deadlineMs: number, onSettled: (index: number, outcome: TaskOutcome<T>) => void) {
    return runPool(tasks, {
      concurrency: this.options.concurrency,
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
      if (target) this.recordHttpFailure([target], outcome, CONTROLS.httpMs);
      else if (outcome.kind === 'failed') this.warn('NAT/RTT/loss probe failed', outcome.error);
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
    const left = () => CONTROLS.phaseMs - (this.deps.now() - phaseStart);
    const rttMs = Math.min(CONTROLS.rttMaxMs, left());
    if (rttMs < CONTROLS.rttMinMs) return;
    const rtt = await this.deps.probeRtt(first, CONTROLS.rttSamples, rttMs);
    if (signal.aborted) return;
    this.record({ rtt });
    const lossMs = Math.min(CONTROLS.lossMaxMs, left());
    if (this.deps.probeLoss === undefined || lossMs < CONTROLS.lossMinMs) return;
    const loss = await this.deps.probeLoss(first, CONTROLS.lossExchanges, lossMs);
    if (!signal.aborted) this.record({ loss });
  }

  /** A thrown or timed-out HTTP probe still yields a result; a skipped one (never started) yields none. */
  private recordHttpFailure(targets: readonly HttpTarget[], outcome: TaskOutcome<unknown>, deadlineMs: number): void {
    let failed: Omit<HttpProbeResult, 'id'> | null = null;
    switch (outcome.kind) {
      case 'done':
      case 'skipped':
      case 'aborted':
        return;
      case 'failed':
        this.warn('HTTP probe failed', outcome.error);
        failed = { outcome: 'failed', failure: 'unknown_failure', rawError: `probe error: ${errorText(outcome.error)}`, ms: roundMs(outcome.ms) };
        break;
      case 'timeout':
        failed = { outcome: 'failed', failure: 'generic_timeout_error', ms: roundMs(Math.min(outcome.ms, deadlineMs)) };
        break;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
    const result = failed;
    this.record({ http: targets.map((t) => ({ ...result, id: t.id })) });
  }

  private async apps(deadlines: ProbeDeadlines): Promise<void> {
    const controlByUrl = new Map<string, HttpProbeResult>();
    for (const target of this.catalog.controls.http) {
      const result = this.report.observations.http.find((r) => r.id === target.id);
      if (result) controlByUrl.set(target.url, result);
    }

    const signalling = groupByUrl(this.catalog.apps.flatMap((app) => app.signalling));
    const reused: HttpProbeResult[] = [];
    const httpGroups: HttpTarget[][] = [];
    for (const [url, group] of signalling) {
      const known = controlByUrl.get(url);
      if (known) reused.push(...group.map((t) => ({ ...known, id: t.id })));
      else httpGroups.push(group);
    }
    if (reused.length > 0) this.record({ http: reused });

    const media = [...groupByUrl(this.catalog.apps.flatMap((app) => app.media))];
    const isUdp = ([url]: [string, IceTarget[]]): boolean => (parseIceUrl(url)?.transport ?? 'udp') === 'udp';
    const iceBatches = [
      ...chunk(media.filter(isUdp), this.options.iceBatchSize).map((batch) => ({ batch, deadlineMs: deadlines.iceUdpMs })),
      ...chunk(media.filter((entry) => !isUdp(entry)), this.options.iceBatchSize).map((batch) => ({
        batch,
        deadlineMs: deadlines.iceTcpMs,
      })),
    ];

    type AppTask = { kind: 'ice'; index: number } | { kind: 'http'; index: number };
    const plan: AppTask[] = [
      // ICE first: those probes wait longest for an answer, so they should not wait for a slot too.
      ...iceBatches.map((_, index) => ({ kind: 'ice' as const, index })),
      ...httpGroups.map((_, index) => ({ kind: 'http' as const, index })),
    ];
    const tasks: PoolTask<IceProbeResult[] | HttpProbeResult>[] = plan.map((step) => {
      switch (step.kind) {
        case 'ice': {
          const { batch, deadlineMs } = iceBatches[step.index] ?? { batch: [], deadlineMs: 0 };
          const representatives = batch.flatMap(([, group]) => group.slice(0, 1));
          return { deadlineMs: deadlineMs + GRACE_MS, run: () => this.deps.probeIce(representatives, deadlineMs) };
        }
        case 'http': {
          const [target] = httpGroups[step.index] ?? [];
          return {
            deadlineMs: deadlines.httpMs + GRACE_MS,
            run: async (signal) => {
              if (!target) throw new Error('empty target group');
              return this.deps.probeHttp(target, deadlines.httpMs, signal);
            },
          };
        }
        default: {
          const unreachable: never = step;
          return unreachable;
        }
      }
    });

    await this.pool(tasks, deadlines.appPhaseMs, (index, outcome) => {
      const step = plan[index];
      if (!step) return;
      switch (step.kind) {
        case 'ice': {
          const entry = iceBatches[step.index];
          if (entry) this.recordIce(entry.batch, entry.deadlineMs, outcome);
          return;
        }
        case 'http': {
          const group = httpGroups[step.index] ?? [];
          if (outcome.kind === 'done' && !Array.isArray(outcome.value)) {
            const result = outcome.value;
            this.record({ http: group.map((t) => ({ ...result, id: t.id })) });
          } else {
            this.recordHttpFailure(group, outcome, deadlines.httpMs);
          }
          return;
        }
        default: {
          const unreachable: never = step;
          return unreachable;
        }
      }
    });
  }

  private recordIce(
    batch: readonly [string, IceTarget[]][],
    deadlineMs: number,
    outcome: TaskOutcome<IceProbeResult[] | HttpProbeResult>,
  ): void {
    let answered: Map<string, IceProbeResult>;
    switch (outcome.kind) {
      case 'done':
        answered = new Map(Array.isArray(outcome.value) ? outcome.value.map((r) => [r.id, r]) : []);
        break;
      case 'timeout':
        answered = new Map();
        break;
      case 'failed':
        // The prober broke, which says nothing about the network: no result rather than a false "blocked".
        this.warn('ICE probe failed', outcome.error);
        return;
      case 'skipped':
      case 'aborted':
        return;
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
    const results: IceProbeResult[] = [];
    for (const [url, group] of batch) {
      const [representative] = group;
      if (!representative) continue;
      const result = answered.get(representative.id) ?? iceDeadlineResult(representative.id, url, deadlineMs);
      if (!result) {
        this.warn(`not an ICE server URL: ${url}`);
        continue;
      }
      results.push(...group.map((t) => ({ ...result, id: t.id })));
    }
    this.record({ ice: results });
  }

  /** DoH cross-check for every host the browser could not resolve or resolved to a bogon. */
  private async dns(deadlines: ProbeDeadlines): Promise<void> {
    const allow = { allow: this.options.bogonAllow };
    const targets = [...this.catalog.controls.http, ...this.catalog.apps.flatMap((app) => app.signalling)];
    const byHost = new Map<string, { target: HttpTarget; result: HttpProbeResult }[]>();
    for (const result of this.report.observations.http) {
      const suspicious = isNameError(result.failure) || (result.ip !== undefined && isBogon(result.ip, allow));
      const target = targets.find((t) => t.id === result.id);
      const host = target ? hostOf(target.url) : null;
      // A host given as an address involved no DNS.
      if (!suspicious || !target || host === null || isIpAddress(host)) continue;
      const group = byHost.get(host);
      if (group) group.push({ target, result });
      else byHost.set(host, [{ target, result }]);
    }
    if (byHost.size === 0) return;
    const groups = [...byHost];
    const tasks: PoolTask<DnsCheck | null>[] = groups.map(([, group]) => ({
      deadlineMs: deadlines.dnsMs + GRACE_MS,
      run: async (signal) => {
        const [first] = group;
        if (!first) return null;
        return this.deps.dnsCheck(first.target, first.result, deadlines.dnsMs, signal);
      },
    }));
    await this.pool(tasks, deadlines.dnsMs + GRACE_MS + PHASE_SLACK_MS, (index, outcome) => {
      const [host, group] = groups[index] ?? ['', []];
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
