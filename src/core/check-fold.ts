// The fold of a check: each probe outcome → results under the catalog's ids → observations (OONI's TestKeys.Update).
import type { IceGroup } from './check-plan';
import type { CallTest } from './call-test-result';
import { iceDeadlineResult } from './classify-ice';
import type { TaskOutcome } from './pool';
import type { DnsCheck, HttpProbeResult, IceProbeResult, LossResult, NatResult, Observations, QuicResult, RttResult } from './report';
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
export function cutShort(outcome: TaskOutcome<unknown>, deadlineMs: number): boolean {
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
