// A check's report while it runs: folds observations in, judges the rows, publishes progress and saves.
import type { Catalog } from '../../core/catalog';
import { fold, type Addition } from '../../core/check-fold';
import type { Clock } from '../../core/pool';
import type { Phase, PhaseTime, Report, ReportStatus } from '../../core/report';
import { roundMs } from '../../core/stats';
import type { CheckDeps, CheckOptions } from './deps';

interface LiveReportDeps extends Pick<CheckDeps, 'judge' | 'save' | 'onUpdate'> {
  clock: Clock;
  warn(message: string, error?: unknown): void;
  /** Every report published (the runner's `current`). */
  onPublish(report: Report): void;
  /** The run failed (fail): it stops probing. */
  onFail(): void;
}

export class LiveReport {
  private report: Report;
  private finished = false;
  private readonly startedAt: number;
  private saveChain: Promise<void> = Promise.resolve();
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private cancelSaveTimer: (() => void) | null = null;
  /** Observations folded since the rows were last judged; published together at most every liveIntervalMs. */
  private pendingJudge: (() => void) | null = null;
  /** Why the run failed (fail), if it did: nothing more is recorded or judged, and the final report says why. */
  private failed: { error: unknown } | null = null;

  constructor(
    initial: Report,
    private readonly catalog: Catalog,
    private readonly deps: LiveReportDeps,
    private readonly intervals: Pick<Required<CheckOptions>, 'saveIntervalMs' | 'liveIntervalMs'>,
  ) {
    this.report = initial;
    this.startedAt = deps.clock.now();
  }

  get current(): Report {
    return this.report;
  }

  /** Whether the final report is out: nothing is recorded or published after it. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** The error that failed the run, if one did. */
  get failure(): { error: unknown } | null {
    return this.failed;
  }

  /**
   * An error in our own code (the judge threw), or the browser's connection limit: the run fails, and what comes
   * after is neither recorded nor judged. The first error is the one the final report gives.
   */
  fail(error: unknown): void {
    if (this.failed !== null || this.finished) return;
    this.failed = { error };
    this.pendingJudge?.();
    this.pendingJudge = null;
    this.deps.onFail();
  }

  /** Resolves once every save asked for so far has ended. */
  saved(): Promise<void> {
    return this.saveChain;
  }

  /** Folds observations in; the rows are judged again soon (judgeSoon). Never throws. */
  record(add: Addition): void {
    if (this.finished || this.failed) return;
    this.report = { ...this.report, observations: fold(this.report.observations, add) };
    this.judgeSoon();
  }

  /** Only the per-app rows are live; the overall answer and quality wait for the end. A judge error ends the run. */
  judgeNow(): void {
    this.pendingJudge?.();
    this.pendingJudge = null;
    if (this.finished || this.failed) return;
    try {
      const { apps } = this.deps.judge(this.catalog, this.report.observations);
      this.publish({ apps });
    } catch (error) {
      this.fail(error);
    }
  }

  /** Publishes the report with `patch` applied (progress for an open popup) and saves it soon. */
  publish(patch: Partial<Report>): void {
    if (this.finished) return;
    this.report = { ...this.report, ...patch };
    this.deps.onPublish(this.report);
    try {
      this.deps.onUpdate(this.report);
    } catch (error) {
      // A closed popup port must not end the check.
      this.deps.warn('progress listener failed', error);
    }
    if (this.report.status === 'running') this.scheduleSave();
  }

  /** Runs one phase, with its start and end in the report (the progress bar follows them); resolves with its value. */
  async phase<T>(name: Phase, run: () => Promise<T>): Promise<T> {
    const at = (): number => roundMs(this.deps.clock.now() - this.startedAt);
    const startMs = at();
    const mark = (entry: PhaseTime): void => {
      const others = (this.report.phases ?? []).filter((p) => p.phase !== name);
      this.publish({ phases: [...others, entry] });
    };
    mark({ phase: name, startMs });
    const value = await run();
    mark({ phase: name, startMs, endMs: at() });
    return value;
  }

  /** Publishes the final report once, and saves it after every earlier save. */
  async finish(status: Exclude<ReportStatus, 'running'>, extra: Partial<Report>): Promise<Report> {
    if (!this.finished) {
      this.pendingJudge?.();
      this.pendingJudge = null;
      this.publish({ ...extra, status, finishedAt: new Date(this.deps.clock.now()).toISOString() });
      this.finished = true;
      await this.saveNow();
    }
    return this.report;
  }

  /**
   * Judging every row costs the whole engine; results arrive in bursts of dozens. So the rows (and the progress
   * update that carries them) follow at most every liveIntervalMs, and at once at each phase's end.
   */
  private judgeSoon(): void {
    if (this.pendingJudge) return;
    this.pendingJudge = this.deps.clock.after(this.intervals.liveIntervalMs, () => {
      this.pendingJudge = null;
      this.judgeNow();
    });
  }

  private saveNow(): Promise<void> {
    this.cancelSaveTimer?.();
    this.cancelSaveTimer = null;
    this.lastSaveAt = this.deps.clock.now();
    const snapshot = this.report;
    // Chained so a slow progress save can never land after the final one.
    this.saveChain = this.saveChain
      .then(() => this.deps.save(snapshot))
      .catch((error: unknown) => this.deps.warn('saving the report failed', error));
    return this.saveChain;
  }

  private scheduleSave(): void {
    if (this.cancelSaveTimer) return;
    const wait = this.lastSaveAt + this.intervals.saveIntervalMs - this.deps.clock.now();
    if (wait <= 0) {
      void this.saveNow();
      return;
    }
    this.cancelSaveTimer = this.deps.clock.after(wait, () => {
      this.cancelSaveTimer = null;
      if (!this.finished) void this.saveNow();
    });
  }
}
