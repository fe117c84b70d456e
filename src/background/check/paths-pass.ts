// The paths pass: RTT and loss to each app's own media server, after the other passes have left the link.
import { pathLossExchanges } from '../../core/app-quality';
import type { IceTarget } from '../../core/catalog';
import { planPaths } from '../../core/check-plan';
import { PATHS, isSlowLink, loadedRttEvidence } from '../../core/deadlines';
import { LOSSY_PCT, lossFromBurst } from '../../core/quality';
import type { LossResult } from '../../core/report';
import type { RunContext } from './context';

/**
 * RTT and loss to each app's own media server (one per app, app-quality.ts), every server at once and each one's
 * probes in sequence, after the other passes so no other probe's traffic shares the link. A server that answered
 * gets both; one silent in both passes gets the loss burst alone, a third and far larger test (32 transactions):
 * an answer to any of them shows a lossy path, not a blocked one (silence.ts heardInBurst). `loadedLost`: a loaded
 * RTT sample of the app pass went unanswered (app-pass.ts).
 */
export async function runPathsPass(ctx: RunContext, loadedLost: boolean): Promise<void> {
  const byUrl = planPaths(ctx.catalog, ctx.observations().ice);
  // On a slow link the app pass queued, a burst to every app's server at once (32 TURN exchanges each, ~150 kB for
  // sixteen apps) takes seconds on a 128 kbit/s uplink and measures our own queue (lab slow-256k: bursts came back
  // with nothing sent or answered), and RTT samples beside them read that queue too. There an answering path is not
  // measured at all: the app has no quality of its own (absent, never a quality scored without its loss), and the
  // connection's, measured by the controls, stands. A silent one keeps its burst, the test that tells a lossy path
  // from a dropped one.
  const queued = linkQueued(ctx, loadedLost);
  /** Answering paths whose burst, sent alongside the others, read lossy: measured again below. */
  const lossy: IceTarget[][] = [];
  await Promise.all(
    byUrl.map(async ({ targets, rtt: heard }) => {
      const [first] = targets;
      if (first === undefined || ctx.stopped() || (heard && queued)) return;
      try {
        if (heard) {
          const rtt = await ctx.deps.probeRtt(first, PATHS.rttSamples, PATHS.rttMs);
          if (ctx.stopped()) return;
          ctx.record({ paths: { rtt: targets.map((t) => ({ ...rtt, targetId: t.id })) } });
        }
        const loss = await pathLoss(ctx, targets);
        if (heard && byUrl.length > 1 && loss !== undefined && (lossFromBurst(loss) ?? 0) >= LOSSY_PCT) lossy.push(targets);
      } catch (error) {
        // A prober that broke says nothing about the path: no figure rather than a made-up one.
        ctx.probeBroke('path probe failed', error);
      }
    }),
  );
  // Every path's burst goes out at once; on a slow link (the lab's 1 Mbit/s bucket) they can overflow its queue
  // together, and our own traffic must not read as an app's lossy path. So a path that read lossy is measured again
  // with only the other lossy ones, and that figure stands: loss aimed at the app's servers shows again.
  await Promise.all(lossy.map((targets) => pathLoss(ctx, targets).catch((error: unknown) => ctx.probeBroke('path probe failed', error))));
}

/**
 * Whether the app pass's own traffic queued the link as a slow link does: the verdict's SLOW_LINK test, two loaded
 * samples at least (deadlines.ts), or a loaded sample lost under its load. One late sample, as a busy CPU gives, is
 * not enough to leave loss unmeasured (lab jitsi-loss-30 read Jitsi works once when one sample was).
 */
function linkQueued(ctx: RunContext, loadedLost: boolean): boolean {
  if (loadedLost) return true;
  const { rtt, loadedRtt } = ctx.observations();
  if (rtt === undefined || rtt.samples.length === 0) return false;
  return isSlowLink(rtt.medianMs, loadedRttEvidence(loadedRtt));
}

/** One loss burst to a path's server, recorded for every target sharing its URL; undefined when none was sent. */
async function pathLoss(ctx: RunContext, targets: readonly IceTarget[]): Promise<LossResult | undefined> {
  const [first] = targets;
  const { probeLoss } = ctx.deps;
  if (first === undefined || probeLoss === undefined || ctx.stopped()) return undefined;
  const loss = await probeLoss(first, pathLossExchanges(first), PATHS.lossMs);
  if (ctx.stopped()) return undefined;
  ctx.record({ paths: { loss: targets.map((t) => ({ ...loss, targetId: t.id })) } });
  return loss;
}
