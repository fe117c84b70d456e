// Call quality per app, from RTT and loss measured to that app's own media servers: loss or delay aimed at one company's servers shows on its apps only.
import { isOwnMedia, type App, type IceTarget } from './catalog';
import { assessQuality, lossFromBurst, ms, type Percent } from './quality';
import type { Paths, Quality } from './report';
import { pathProbeKind } from './rtt';

/**
 * The media target an app's path is measured to (RTT and loss alike), or undefined when it has none a browser can
 * time (only TCP or TLS relays, or no media servers). One per app keeps the connections per check few (Chrome
 * refuses new ones past 500 per process). A turn: UDP relay is preferred: each exchange of its loss burst is two
 * transactions (Allocate, then the retry with credentials), so half the exchanges, and connections, give the same
 * evidence as a stun: burst; its RTT is read from the 401 as two round trips (rtt.ts, checked in both browsers).
 * `answered`: ids of the media targets that answered in this check.
 */
export function pathTarget(app: Pick<App, 'media'>, answered: ReadonlySet<string> = new Set()): IceTarget | undefined {
  // A control's server (sharedWith) is measured already as the control's path: not again as the app's. An unverified
  // server (catalog unverified) only where it answered (ids in `answered`): its silence is no evidence, so a burst to
  // a silent one would be traffic for nothing.
  const own = app.media.filter((t) => isOwnMedia(t) && (t.unverified === undefined || answered.has(t.id)));
  return own.find((t) => pathProbeKind(t) === 'allocate') ?? own.find((t) => pathProbeKind(t) === 'binding');
}

/**
 * STUN transactions in a per-app loss burst. Simulated with Chrome's schedule and a 1.5 s deadline (binomial loss
 * each way, 20 000 bursts), the share of bursts that read LOSSY (≥ 5 % one way):
 * | one-way loss | 0 % | 1 % | 2 % | 3 % | 5 % | 10 % |
 * | 16 transactions (16 Bindings) | 0 | 4.5 % | 14 % | 27 % | 51 % | 86 % |
 * | 32 transactions (16 TURN 401s or 32 Bindings) | 0 | 0.5 % | 5 % | 15 % | 45 % | 92 % |
 * | 64 (the control burst) | 0 | 0 | 2 % | 12 % | 53 % | 99 % |
 * 32 keeps a 2 % path from reading LOSSY in more than one check of twenty and finds 10 % loss in eleven of twelve,
 * for two connections (TURN) or four (STUN) per app in Chrome.
 */
export const PATH_LOSS_TRANSACTIONS = 32;

/** Exchanges for `target`'s loss burst: PATH_LOSS_TRANSACTIONS, two per TURN exchange. */
export function pathLossExchanges(target: Pick<IceTarget, 'url'>): number {
  return pathProbeKind(target) === 'allocate' ? PATH_LOSS_TRANSACTIONS / 2 : PATH_LOSS_TRANSACTIONS;
}

/**
 * The app's quality from its measured paths, or undefined when none has a median and a jitter. With several
 * measured targets a call takes the best path (ICE picks the best pair), so the best R wins; but a path whose
 * loss was measured is preferred to one whose loss was not, because unknown loss scores as none, and a figure
 * that was not measured must not outweigh one that was.
 */
export function appQuality(app: Pick<App, 'media'>, paths: Paths | undefined): Quality | undefined {
  if (paths === undefined) return undefined;
  const assessed = app.media.flatMap((target) => {
    const rtt = paths.rtt.find((r) => r.targetId === target.id);
    if (rtt?.medianMs === undefined || rtt.jitterMs === undefined) return [];
    const burst = paths.loss.find((l) => l.targetId === target.id);
    const loss = burst === undefined ? undefined : lossFromBurst(burst);
    return [assessQuality({ rtt: ms(rtt.medianMs), jitter: ms(rtt.jitterMs), ...(loss === undefined ? {} : { loss }) })];
  });
  const withLoss = assessed.filter((q) => q.lossPct !== undefined);
  const candidates = withLoss.length > 0 ? withLoss : assessed;
  return candidates.reduce<Quality | undefined>((best, q) => (best === undefined || q.r > best.r ? q : best), undefined);
}

/**
 * The loss measured on the app's best path (ICE picks the best pair), or undefined when no burst to its media
 * servers was large enough to say. Loss stands on its own: heavy loss can leave too few RTT samples for a quality
 * estimate (30 % each way fails half the round trips), and it is still what a call would suffer.
 */
export function appLossPct(app: Pick<App, 'media'>, paths: Paths | undefined): Percent | undefined {
  if (paths === undefined) return undefined;
  const measured = app.media.flatMap((target) => {
    const burst = paths.loss.find((l) => l.targetId === target.id);
    // A burst nobody answered is silence, which the probes already say; loss is what a path that answers loses.
    const loss = burst === undefined || burst.answered === 0 ? undefined : lossFromBurst(burst);
    return loss === undefined ? [] : [loss];
  });
  return measured.length === 0 ? undefined : measured.reduce((best, loss) => (loss < best ? loss : best));
}
