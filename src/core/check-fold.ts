// The fold of a check: each probe outcome → results under the catalog's ids → observations (OONI's TestKeys.Update).
import type { DnsTask, IceGroup, ProbeResults, ProbeTask } from './check-plan';
import type { CallTest } from './call-test-result';
import { iceDeadlineResult } from './classify-ice';
import { classifyDns, systemAnswerFromHttp, type BogonOptions } from './dns';
import type { TaskOutcome } from './pool';
import type { DnsCheck, HttpProbeResult, IceProbeResult, LossResult, NatResult, Observations, QuicResult, RttResult } from './report';
import { markResidual } from './residual';
import { isSilentHttp, isSilentIce } from './silence';
import { roundMs } from './stats';
import { errorText } from './error-text';

export interface Addition {
  http?: readonly HttpProbeResult[];
  ice?: readonly IceProbeResult[];
  dns?: readonly DnsCheck[];
  nat?: NatResult;
  rtt?: RttResult;
  loadedRtt?: RttResult;
  loss?: LossResult;
  quic?: readonly QuicResult[];
  /** RTT and loss to apps' own media servers, one of each per target id. */
  paths?: { rtt?: readonly RttResult[]; loss?: readonly LossResult[] };
  /** The quick call window through our relay (quick-call.ts). */
  callTest?: CallTest;
}

/** A result for an id already present replaces it: the confirmation pass supersedes the parallel one. */
function merge<T>(old: readonly T[], add: readonly T[] | undefined, key: (item: T) => string): T[] {
  if (add === undefined || add.length === 0) return [...old];
  const replaced = new Map(add.map((item) => [key(item), item]));
  const kept = old.filter((item) => !replaced.has(key(item)));
  return [...kept, ...add];
}

export function fold(old: Observations, add: Addition): Observations {
  return {
    ...old,
    http: merge(old.http, add.http, (r) => r.id),
    ice: merge(old.ice, add.ice, (r) => r.id),
    dns: merge(old.dns, add.dns, (d) => d.targetId),
    ...(add.nat ? { nat: add.nat } : {}),
    ...(add.rtt ? { rtt: add.rtt } : {}),
    ...(add.loadedRtt ? { loadedRtt: add.loadedRtt } : {}),
    ...(add.loss ? { loss: add.loss } : {}),
    ...(add.quic ? { quic: [...(old.quic ?? []), ...add.quic] } : {}),
    ...(add.callTest ? { callTest: add.callTest } : {}),
    ...(add.paths
      ? {
          paths: {
            rtt: merge(old.paths?.rtt ?? [], add.paths.rtt, (r) => r.targetId),
            loss: merge(old.paths?.loss ?? [], add.paths.loss, (l) => l.targetId),
          },
        }
      : {}),
  };
}

/** What a probe task yielded, and what went wrong in our own code (for the log), if anything. */
export interface Yield<T> {
  results: T[];
  problem?: { message: string; error?: unknown };
}

/**
 * A probe the pass's deadline stopped before its own deadline came: it was not given the time silence needs to
 * mean anything, so it is no result at all (not measured), never a silent pass.
 */
function cutShort(outcome: TaskOutcome<unknown>, deadlineMs: number): boolean {
  return outcome.kind === 'timeout' && outcome.by === 'pool' && outcome.ms < deadlineMs;
}

/**
 * An HTTP task's outcome for every id of its URL. A task that threw yields an unknown_failure carrying the error;
 * one that ran past its deadline is a timeout, which is silence (silence.ts); one never started yields nothing.
 */
export function httpYield(ids: readonly string[], outcome: TaskOutcome<HttpProbeResult>, deadlineMs: number, attempts: number): Yield<HttpProbeResult> {
  let result: Omit<HttpProbeResult, 'id'>;
  let problem: Yield<HttpProbeResult>['problem'];
  switch (outcome.kind) {
    case 'done':
      result = outcome.value;
      break;
    case 'failed':
      problem = { message: 'HTTP probe failed', error: outcome.error };
      result = { outcome: 'failed', failure: 'unknown_failure', rawError: `probe error: ${errorText(outcome.error)}`, ms: roundMs(outcome.ms) };
      break;
    case 'timeout':
      if (cutShort(outcome, deadlineMs)) return { results: [] };
      result = { outcome: 'failed', failure: 'generic_timeout_error', ms: roundMs(Math.min(outcome.ms, deadlineMs)) };
      break;
    case 'skipped':
    case 'aborted':
      return { results: [] };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
  const counted = attempts > 1 ? { attempts } : {};
  return { results: ids.map((id) => ({ ...result, id, ...counted })), ...(problem === undefined ? {} : { problem }) };
}

/**
 * An ICE task's outcome for every id of every URL in its batch. A URL the prober left out, or a batch still
 * running at its deadline, is filtered at the deadline (silence); a prober that threw yields nothing, which is
 * no evidence rather than a false "blocked".
 */
export function iceYield(groups: readonly IceGroup[], outcome: TaskOutcome<IceProbeResult[]>, deadlineMs: number, attempts: number): Yield<IceProbeResult> {
  let answered: ReadonlyMap<string, IceProbeResult>;
  switch (outcome.kind) {
    case 'done':
      answered = new Map(outcome.value.map((r) => [r.id, r]));
      break;
    case 'timeout':
      if (cutShort(outcome, deadlineMs)) return { results: [] };
      answered = new Map();
      break;
    case 'failed':
      return { results: [], problem: { message: 'ICE probe failed', error: outcome.error } };
    case 'skipped':
    case 'aborted':
      return { results: [] };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
  const counted = attempts > 1 ? { attempts } : {};
  const results: IceProbeResult[] = [];
  const problems: string[] = [];
  for (const { url, targets } of groups) {
    const [representative] = targets;
    if (!representative) continue;
    const result = answered.get(representative.id) ?? iceDeadlineResult(representative.id, url, deadlineMs);
    if (!result) {
      problems.push(`not an ICE server URL: ${url}`);
      continue;
    }
    results.push(...targets.map((t) => ({ ...result, id: t.id, ...counted })));
  }
  return { results, ...(problems.length > 0 ? { problem: { message: problems.join('; ') } } : {}) };
}

/** What a probe task hands the pool back: tagged, so an outcome is read by the kind of task that made it. */
export type ProbeValue = { kind: 'http'; result: HttpProbeResult } | { kind: 'ice'; results: IceProbeResult[] } | { kind: 'deferred' };

/**
 * A probe task's outcome, folded: `later` when the parallel pass did not probe it (never started, stopped by the
 * pass's end before its own deadline, or a plain-TCP TURN probe waiting for its TLS siblings), to be probed in the
 * confirmation pass; else its results, with the parallel pass's silence set apart as `held` (the confirmation pass
 * says whether it was ours) and a problem in our own code, if any.
 */
export type TaskFold = { kind: 'later' } | { kind: 'probed'; results: ProbeResults; held: ProbeResults; problem?: Yield<unknown>['problem'] };

export interface TaskFoldOptions {
  /** The probes this task's results count (CONFIRMING_PASSES once confirmed). */
  attempts: number;
  /** The parallel pass: silence is held back and an unprobed task comes later. */
  parallel: boolean;
  /** TURN/TLS targets whose silence the check before may have caused (residual.ts). */
  residual?: ReadonlySet<string>;
}

export function foldTask(task: ProbeTask, outcome: TaskOutcome<ProbeValue>, options: TaskFoldOptions): TaskFold {
  const { attempts, parallel, residual } = options;
  const deferred = outcome.kind === 'done' && outcome.value.kind === 'deferred';
  if (parallel && (deferred || outcome.kind === 'skipped' || cutShort(outcome, task.deadlineMs))) return { kind: 'later' };
  const { results, problem } = taskYield(task, outcome, attempts);
  const ice = residual === undefined ? results.ice : results.ice.map((r) => markResidual(r, residual));
  const all = { http: results.http, ice };
  const held = parallel ? { http: all.http.filter(isSilentHttp), ice: all.ice.filter(isSilentIce) } : { http: [], ice: [] };
  const kept = parallel ? { http: all.http.filter((r) => !isSilentHttp(r)), ice: all.ice.filter((r) => !isSilentIce(r)) } : all;
  return { kind: 'probed', results: kept, held, ...(problem === undefined ? {} : { problem }) };
}

function taskYield(task: ProbeTask, outcome: TaskOutcome<ProbeValue>, attempts: number): { results: ProbeResults; problem?: Yield<unknown>['problem'] } {
  const none = { http: [], ice: [] };
  switch (task.kind) {
    case 'http': {
      const value = outcome.kind === 'done' ? (outcome.value.kind === 'http' ? { ...outcome, value: outcome.value.result } : null) : outcome;
      if (value === null) return { results: none };
      const { results, problem } = httpYield(task.targets.map((t) => t.id), value, task.deadlineMs, attempts);
      return { results: { http: results, ice: [] }, ...(problem === undefined ? {} : { problem }) };
    }
    case 'ice': {
      const value = outcome.kind === 'done' ? (outcome.value.kind === 'ice' ? { ...outcome, value: outcome.value.results } : null) : outcome;
      if (value === null) return { results: none };
      const { results, problem } = iceYield(task.groups, value, task.deadlineMs, attempts);
      return { results: { http: [], ice: results }, ...(problem === undefined ? {} : { problem }) };
    }
    default: {
      const unreachable: never = task;
      return unreachable;
    }
  }
}

/**
 * A DoH cross-check's outcome for every target that named its host. No DoH answer in time (or a cross-check that
 * threw) reads as the DoH endpoint being unreachable, which is inconclusive; a check not run yields nothing.
 */
export function dnsYield(task: DnsTask, outcome: TaskOutcome<DnsCheck | null>, bogons: BogonOptions): Yield<DnsCheck> {
  const [first] = task.group;
  if (!first) return { results: [] };
  let check: Omit<DnsCheck, 'targetId' | 'host'>;
  let problem: Yield<DnsCheck>['problem'];
  switch (outcome.kind) {
    case 'done':
      if (outcome.value === null) return { results: [] };
      check = outcome.value;
      break;
    case 'failed':
    case 'timeout': {
      if (outcome.kind === 'failed') problem = { message: 'DNS cross-check failed', error: outcome.error };
      const reason = outcome.kind === 'failed' ? errorText(outcome.error) : 'timeout';
      check = classifyDns({ system: systemAnswerFromHttp(first.result), doh: { kind: 'failed', reason } }, bogons);
      break;
    }
    case 'skipped':
    case 'aborted':
      return { results: [] };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
  const { system, doh, verdict } = check;
  const results = task.group.map(({ target }) => ({ targetId: target.id, host: task.host, system, doh, verdict }));
  return { results, ...(problem === undefined ? {} : { problem }) };
}
