// The controls phase: control HTTP fetches in parallel with NAT → RTT → loss over the control STUN servers.
import type { HttpTarget, IceTarget } from '../../core/catalog';
import { httpYield } from '../../core/check-fold';
import { CONTROLS, GRACE_MS } from '../../core/deadlines';
import { isHttp3 } from '../../core/http-timing';
import type { PoolTask } from '../../core/pool';
import type { HttpProbeResult } from '../../core/report';
import { roundMs } from '../../core/stats';
import { pause, runInPool, type RunContext } from './context';

/**
 * Runs the phase. `onIdleRtt` hears of the idle RTT as soon as it is measured, undefined when no sample came back
 * (the quick call window starts there).
 * Resolves with the control STUN server the idle RTT went to, where one answered: the loaded samples go to it too.
 */
export async function runControls(ctx: RunContext, onIdleRtt: (medianMs: number | undefined) => void): Promise<IceTarget | undefined> {
  const phaseStart = ctx.deps.now();
  const http = ctx.catalog.controls.http;
  let rttTarget: IceTarget | undefined;
  const tasks: PoolTask<void>[] = http.map((target) => ({
    deadlineMs: CONTROLS.httpMs + GRACE_MS,
    run: async (signal) => {
      const result = await ctx.deps.probeHttp(target, CONTROLS.httpMs, signal);
      if (signal.aborted) return;
      ctx.record({ http: [{ ...result, id: target.id }] });
      if (target.http3 !== undefined && result.outcome === 'reachable' && !isHttp3(result.timing?.protocol)) await awaitQuic(ctx, target, phaseStart, signal);
    },
  }));
  tasks.push({
    deadlineMs: CONTROLS.phaseMs + GRACE_MS,
    run: (signal) =>
      natRttLoss(ctx, phaseStart, signal, {
        target: (target) => {
          rttTarget = target;
        },
        idleRtt: onIdleRtt,
      }),
  });
  await runInPool(ctx, tasks, CONTROLS.phaseMs + GRACE_MS, (index, outcome) => {
    const target = http[index];
    if (target) {
      // A control that answered was recorded by its task; a thrown or timed-out one is recorded here.
      if (outcome.kind === 'done') return;
      const { results, problem } = httpYield([target.id], outcome, CONTROLS.httpMs, 1);
      if (problem !== undefined) ctx.warn(problem.message, problem.error);
      if (results.length > 0) ctx.record({ http: results });
    } else if (outcome.kind === 'failed') ctx.probeBroke('NAT/RTT/loss probe failed', outcome.error);
  });
  return rttTarget;
}

/**
 * A browser learns a server's HTTP/3 from its Alt-Svc on the first answer and tries QUIC on a later
 * request (racing TCP, and keeping TCP if UDP 443 is dropped). A few more fetches, a moment apart,
 * show whether QUIC gets through; the last protocol seen is the evidence.
 */
async function awaitQuic(ctx: RunContext, target: HttpTarget, phaseStart: number, signal: AbortSignal): Promise<void> {
  const started = ctx.deps.now();
  let attempts = 0;
  let last: HttpProbeResult | undefined;
  while (attempts < CONTROLS.quicAttempts && !signal.aborted) {
    await pause(ctx.clock, CONTROLS.quicGapMs, signal);
    const left = CONTROLS.httpMs - (ctx.deps.now() - phaseStart);
    if (signal.aborted || left < CONTROLS.quicMinMs) break;
    last = await ctx.deps.probeHttp(target, left, signal);
    attempts += 1;
    if (last.outcome !== 'reachable' || isHttp3(last.timing?.protocol)) break;
  }
  if (signal.aborted || attempts === 0) return;
  const protocol = last?.outcome === 'reachable' ? last.timing?.protocol : undefined;
  ctx.record({ quic: [{ targetId: target.id, attempts, ...(protocol === undefined ? {} : { protocol }), ms: roundMs(ctx.deps.now() - started) }] });
}

/** Sequential, so no probe's timing is disturbed by another's connections. */
async function natRttLoss(
  ctx: RunContext,
  phaseStart: number,
  signal: AbortSignal,
  on: { target(target: IceTarget): void; idleRtt(medianMs: number | undefined): void },
): Promise<void> {
  const servers = ctx.catalog.controls.stun;
  const nat = await ctx.deps.probeNat(servers, CONTROLS.natMs);
  if (signal.aborted) return;
  ctx.record({ nat });
  const first = nat.answered.map((id) => servers.find((s) => s.id === id)).find((s) => s !== undefined);
  if (!first) return;
  on.target(first);
  const left = () => CONTROLS.phaseMs - (ctx.deps.now() - phaseStart);
  const rttMs = Math.min(CONTROLS.rttMaxMs, left());
  if (rttMs < CONTROLS.rttMinMs) return;
  const rtt = await ctx.deps.probeRtt(first, CONTROLS.rttSamples, rttMs);
  if (signal.aborted) return;
  ctx.record({ rtt });
  on.idleRtt(rtt.samples.length > 0 ? rtt.medianMs : undefined);
  const lossMs = Math.min(CONTROLS.lossMaxMs, left());
  if (ctx.deps.probeLoss === undefined || lossMs < CONTROLS.lossMinMs) return;
  const loss = await ctx.deps.probeLoss(first, CONTROLS.lossExchanges, lossMs);
  if (!signal.aborted) ctx.record({ loss });
}
