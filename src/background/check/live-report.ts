// A check's report while it runs: folds observations in, judges the rows, publishes progress and saves.
import type { Catalog } from '../../core/catalog';
import { fold, type Addition } from '../../core/check-fold';
import type { Clock } from '../../core/pool';
import type { Phase, PhaseTime, Report, ReportStatus } from '../../core/report';
import { roundMs } from '../../core/stats';
import type { CheckDeps, CheckOptions } from './deps';

export interface LiveReportDeps extends Pick<CheckDeps, 'judge' | 'now' | 'save' | 'onUpdate'> {
  clock: Clock;
  warn(message: string, error?: unknown): void;
  /** Every report published (the runner's `current`). */
  onPublish(report: Report): void;
  /** The judge threw: an error in our own code, which ends the run. */
  onJudgeError(error: unknown): void;
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
  /** Set once the run failed (halt): nothing more is recorded or judged. */
  private halted = false;

  constructor(
    initial: Report,
    private readonly catalog: Catalog,
    private readonly deps: LiveReportDeps,
    private readonly intervals: Pick<Required<CheckOptions>, 'saveIntervalMs' | 'liveIntervalMs'>,
  ) {
    this.report = initial;
    this.startedAt = deps.now();
  }

  get current(): Report {
    return this.report;
  }

  /** Whether the final report is out: nothing is recorded or published after it. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Resolves once every save asked for so far has ended. */
  saved(): Promise<void> {
    return this.saveChain;
  }

  /** Folds observations in; the rows are judged again soon (judgeSoon). Never throws. */
  record(add: Addition): void {
    if (this.finished || this.halted) return;
    this.report = { ...this.report, observations: fold(this.report.observations, add) };
    this.judgeSoon();
  }

  /** Only the per-app rows are live; the overall answer and quality wait for the end. A judge error ends the run. */
  judgeNow(): void {
    this.pendingJudge?.();
    this.pendingJudge = null;
    if (this.finished || this.halted) return;
    try {
      const { apps } = this.deps.judge(this.catalog, this.report.observations);
      this.publish({ apps });
    } catch (error) {
      this.halt();
      this.deps.onJudgeError(error);
    }
  }

  /** The run failed: what comes after is not recorded or judged (the final report says why, through finish). */
  halt(): void {
    this.halted = true;
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

  /** Runs one phase, with its start and end in the report (the progress bar follows them). */
  async phase(name: Phase, run: () => Promise<void>): Promise<void> {
    const at = (): number => roundMs(this.deps.now() - this.startedAt);
    const startMs = at();
    const mark = (entry: PhaseTime): void => {
      const others = (this.report.phases ?? []).filter((p) => p.phase !== name);
      this.publish({ phases: [...others, entry] });
    };
    mark({ phase: name, startMs });
    await run();
    mark({ phase: name, startMs, endMs: at() });
  }

  /** Publishes the final report once, and saves it after every earlier save. */
  async finish(status: Exclude<ReportStatus, 'running'>, extra: Partial<Report>): Promise<Report> {
    if (!this.finished) {
      this.pendingJudge?.();
      this.pendingJudge = null;
      this.publish({ ...extra, status, finishedAt: new Date(this.deps.now()).toISOString() });
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
    this.lastSaveAt = this.deps.now();
    const snapshot = this.report;
    // Chained so a slow progress save can never land after the final one.
    this.saveChain = this.saveChain
      .then(() => this.deps.save(snapshot))
      .catch((error: unknown) => this.deps.warn('saving the report failed', error));
    return this.saveChain;
  }

  private scheduleSave(): void {
    if (this.cancelSaveTimer) return;
    const wait = this.lastSaveAt + this.intervals.saveIntervalMs - this.deps.now();
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
