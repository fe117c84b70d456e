// Call quality per app, from RTT and loss measured to that app's own media servers: loss or delay aimed at one company's servers shows on its apps only.
import type { App, IceTarget } from './catalog';
import { assessQuality, lossFromBurst, ms } from './quality';
import type { Paths, Quality } from './report';
import { pathProbeKind } from './rtt';

/**
 * The media target an app's path is measured to, or undefined when it has none a browser can time (only TCP or
 * TLS relays, or no media servers). One per app keeps the connections per check few (Chrome refuses new ones
 * past 500 per process). A stun: server is preferred: a Binding is one round trip from the host candidate,
 * while a TURN 401 takes two and, in Chrome, a relay step before the first Allocate (rtt.ts).
 */
export function pathTarget(app: Pick<App, 'media'>): IceTarget | undefined {
  return app.media.find((t) => pathProbeKind(t) === 'binding') ?? app.media.find((t) => pathProbeKind(t) === 'allocate');
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
