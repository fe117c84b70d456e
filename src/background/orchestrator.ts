// Runs one check (controls → app probes → confirmation and DNS → paths → verdicts) over injected probes, one run at a time.
import type { Catalog } from '../core/catalog';
import type { Addition } from '../core/check-fold';
import { baselineRtt, confirmDeadlines, deadlinesFor } from '../core/deadlines';
import { PeerConnectionLimitError } from '../core/device-limit';
import { errorText } from '../core/error-text';
import { readNetwork } from '../core/network-context';
import type { Clock } from '../core/pool';
import { lossFromBurst } from '../core/quality';
import { REPORT_SCHEMA_VERSION, type Observations, type Phase, type Report, type ReportStatus } from '../core/report';
import { roundMs } from '../core/stats';
import { runAppPass, type AppPassResult } from './check/app-pass';
import { runConfirmPass } from './check/confirm-pass';
import type { RunContext } from './check/context';
import { runControls } from './check/controls';
import { DEFAULT_OPTIONS, type CheckDeps, type CheckExtras, type CheckOptions } from './check/deps';
import { runDnsPass } from './check/dns-pass';
import { LiveReport } from './check/live-report';
import { runPathsPass } from './check/paths-pass';
import { startQuickCall, type QuickCall } from './check/quick-call-window';

export interface CheckRun {
  reportId: string;
  /** Resolves with the final report (done, cancelled or failed); never rejects. */
  done: Promise<Report>;
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

/**
 * One check: runs the passes in order, each handing the next what it learnt, and ends the report. The passes
 * (check/*.ts) plan with check-plan.ts and fold with check-fold.ts; the report is kept, published and saved by
 * LiveReport.
 */
class Run implements RunContext {
  readonly reportId: string;
  readonly clock: Clock;
  private readonly controller = new AbortController();
  private readonly live: LiveReport;
  private readonly warnTo: (message: string, error?: unknown) => void;
  /** Silence the parallel pass held back for the confirmation pass. */
  private silences: AppPassResult['silences'] = { http: [], ice: [] };
  /** The quick call window, once started (at most once); the check waits for it before its final answer. */
  private quickCall: QuickCall | undefined;

  constructor(
    readonly catalog: Catalog,
    readonly extras: CheckExtras,
    readonly deps: CheckDeps,
    readonly options: Required<CheckOptions>,
    onPublish: (report: Report) => void,
  ) {
    this.clock = { now: () => deps.now(), after: deps.after ?? defaultAfter };
    this.warnTo = deps.warn ?? defaultWarn;
    this.reportId = deps.newId();
    const connectionType = deps.connectionType?.();
    const initial: Report = {
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
    this.live = new LiveReport(
      initial,
      catalog,
      {
        judge: (...args) => deps.judge(...args),
        save: (report) => deps.save(report),
        onUpdate: (report) => deps.onUpdate(report),
        clock: this.clock,
        warn: this.warnTo,
        onPublish,
        onFail: () => this.controller.abort(),
      },
      options,
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    if (!this.live.isFinished) this.controller.abort();
  }

  async execute(): Promise<Report> {
    try {
      this.record({});
      this.judgeNow();
      await this.live.saved();
      if (this.stopped()) return await this.stop();
      const rttTarget = await this.phase('controls', () => runControls(this, (idleRttMs) => (this.quickCall ??= startQuickCall(this, idleRttMs))));
      if (this.stopped()) return await this.stop();
      const observations = this.observations();
      const baseline = baselineRtt(
        observations,
        this.catalog.controls.http.map((t) => t.id),
      );
      const lossPct = observations.loss === undefined ? undefined : lossFromBurst(observations.loss);
      if (baseline !== undefined) this.live.publish({ baselineRttMs: roundMs(baseline) });
      const deadlines = deadlinesFor(baseline, lossPct);
      const app = await this.phase('apps', () => runAppPass(this, deadlines, rttTarget, this.quickCall));
      this.silences = app.silences;
      if (this.stopped()) return await this.stop();
      this.judgeNow();
      // Offline or behind a portal nothing more can be learnt: no DoH answer can come, and silence there is the gate's.
      if (readNetwork(this.catalog, this.observations()).gate === undefined) {
        const confirm = confirmDeadlines(baseline, this.observations().loadedRtt?.medianMs, lossPct, app.loadedLost);
        await Promise.all([this.phase('confirm', () => runConfirmPass(this, confirm, app, rttTarget)), this.phase('dns', () => runDnsPass(this, deadlines))]);
      }
      if (this.stopped()) return await this.stop();
      if (readNetwork(this.catalog, this.observations()).gate === undefined) await this.phase('paths', () => runPathsPass(this, app.loadedLost));
      if (this.stopped()) return await this.stop();
      // Told at the app pass at the latest; a window still waiting here would wait for ever.
      this.quickCall?.decide(false);
      await this.quickCall?.done;
      if (this.stopped()) return await this.stop();
      this.recordUnconfirmed();
      const judgement = this.deps.judge(this.catalog, this.observations(), { final: true });
      return await this.finish('done', {
        apps: judgement.apps,
        overall: judgement.overall,
        ...(judgement.quality ? { quality: judgement.quality } : {}),
      });
    } catch (error) {
      return await this.finish('failed', { error: errorText(error) });
    }
  }

  // ---- RunContext ----

  observations(): Observations {
    return this.live.current.observations;
  }

  record(add: Addition): void {
    this.live.record(add);
  }

  judgeNow(): void {
    this.live.judgeNow();
  }

  stopped(): boolean {
    return this.live.failure !== null || this.controller.signal.aborted;
  }

  warn(message: string, error?: unknown): void {
    this.warnTo(message, error);
  }

  /**
   * A prober that broke says nothing about the network: its result stays absent. Except the browser's limit on
   * connections: a check that meets it cannot measure what is left, and judging apps from the rest would read
   * absence as findings (seen: every app "degraded" by local interference), so the check ends as failed, saying so.
   */
  probeBroke(message: string, error: unknown): void {
    if (!(error instanceof PeerConnectionLimitError)) return this.warn(message, error);
    this.live.fail(error);
  }

  phase<T>(name: Phase, run: () => Promise<T>): Promise<T> {
    return this.live.phase(name, run);
  }

  // ---- the run's end ----

  private async stop(): Promise<Report> {
    const failure = this.live.failure;
    if (failure) return this.finish('failed', { error: errorText(failure.error) });
    // What was measured stays in the report, unconfirmed silence included (it reads as no evidence).
    this.recordUnconfirmed();
    this.judgeNow();
    return this.finish('cancelled', {});
  }

  private finish(status: Exclude<ReportStatus, 'running'>, extra: Partial<Report>): Promise<Report> {
    // Published at once, saved after every earlier save.
    const saved = this.live.finish(status, extra);
    // Probes that ignore signals (ICE) may still answer; nothing is recorded after this point.
    this.controller.abort();
    return saved;
  }

  /** Silences the confirmation pass did not reach (cancelled, gated, out of time): recorded as seen once, which is no evidence. */
  private recordUnconfirmed(): void {
    const { http: seenHttp, ice: seenIce } = this.observations();
    const seen = new Set([...seenHttp.map((r) => r.id), ...seenIce.map((r) => r.id)]);
    const http = this.silences.http.filter((r) => !seen.has(r.id));
    const ice = this.silences.ice.filter((r) => !seen.has(r.id));
    this.silences = { http: [], ice: [] };
    if (http.length + ice.length > 0) this.record({ http, ice });
  }
}
