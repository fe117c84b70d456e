// Silence (no answer before our deadline) and when it becomes evidence: only after a second, unhurried pass.
import type { IceProbeResult, HttpProbeResult, Observations } from './report';

/**
 * Passes that must all stay silent before silence counts against a target. The first pass runs every probe at
 * once; on a slow link its own traffic fills the queue and deadlines run out with nothing blocked (issue: a
 * 128 kbit/s link read "every app blocked"). The second runs after the first has drained, a few at a time, with
 * a deadline from the RTT measured under load (deadlines.ts confirmDeadlines).
 */
export const CONFIRMING_PASSES = 2;

/** An HTTP probe that ran out of time: every other failure (reset, refused, a name error, a certificate) is positive evidence. */
export function isSilentHttp(result: HttpProbeResult): boolean {
  return result.outcome === 'failed' && result.failure === 'generic_timeout_error';
}

/** An ICE probe the server never answered (our deadline, or the browser's own give-up); a 701 with a cause is evidence. */
export function isSilentIce(result: IceProbeResult): boolean {
  return result.outcome === 'filtered';
}

export function isSilent(result: HttpProbeResult | IceProbeResult): boolean {
  return 'scheme' in result ? isSilentIce(result) : isSilentHttp(result);
}

/**
 * Silence seen in one pass only, or where our own earlier probe may have closed the server (residual.ts): no evidence
 * either way (target-outcome.ts reads it as void).
 */
export function isUnconfirmedSilence(result: HttpProbeResult | IceProbeResult): boolean {
  return isSilent(result) && ((result.attempts ?? 1) < CONFIRMING_PASSES || ('residual' in result && result.residual === true));
}

/**
 * A target silent in both passes that answered any of its path's loss burst (app-quality.ts, 32 transactions) was
 * reachable over a lossy path: at 30 % loss each way a single Binding goes unanswered through a 1 s deadline one
 * time in eight, twice running one time in sixty; a burst of 32 all unanswered, almost never. The observation stays
 * as measured; the judge reads it as this answer (verdict.ts).
 */
export function heardInBurst(observations: Observations): Observations {
  const answered = new Set((observations.paths?.loss ?? []).filter((burst) => burst.answered > 0).map((burst) => burst.targetId));
  if (answered.size === 0) return observations;
  const ice = observations.ice.map((result): IceProbeResult => {
    if (!isSilentIce(result) || !answered.has(result.id)) return result;
    const heard: IceProbeResult = { ...result, outcome: 'reachable', evidence: result.scheme === 'stun' ? 'srflx' : 'server-error' };
    delete heard.failure;
    delete heard.errorCode;
    return heard;
  });
  return { ...observations, ice };
}
