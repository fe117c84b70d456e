// Our own probes can close a server to the check: a plain-TCP TURN probe trips a protocol filter's residual block on the address and port a TURN/TLS probe also uses.
import type { Catalog, IceTarget } from './catalog';
import { parseIceUrl } from './ice-url';
import type { IceProbeResult, Observations, Report } from './report';
import { CONFIRMING_PASSES, isSilentIce, isUnconfirmedSilence } from './silence';

/**
 * How long a server may stay closed to us after our own plain-TCP TURN probe to it. A protocol filter that wants the
 * first bytes of a TCP flow on 443 to be TLS, HTTP or DNS drops a plain TURN Allocate there, and then drops the
 * client's flows to that address and port for a while: Iran's protocol filter for 60 s, renewed by each new offending
 * flow (Bock et al., FOCI 2020); the GFW's penalty box for 90 s on the same server address and port (Rambert et al.
 * 2021); both in ../shared/reference/blocking-2025-26.md. A TURN/TLS probe of that address and port in that time can
 * be silenced by us, not by a block of the app.
 */
export const RESIDUAL_MS = 120_000;

/** "host:port" of a TURN server over TCP or TLS: the destination a residual block is keyed on (the name stands for its addresses). */
function destination(url: string): { key: string; scheme: 'turn' | 'turns' } | undefined {
  const parsed = parseIceUrl(url);
  if (parsed === null || parsed.transport === 'udp' || parsed.scheme === 'stun') return undefined;
  return { key: `${parsed.host}:${parsed.port}`, scheme: parsed.scheme };
}

function iceTargets(catalog: Catalog): IceTarget[] {
  return [...catalog.controls.stun, ...catalog.apps.flatMap((app) => app.media), ...(catalog.reflection ?? [])];
}

/**
 * The destinations a TURN/TLS target and a plain-TCP TURN target share (Teams' relay on 443): there the TLS probe goes
 * first and the plain one only once it has ended (check-plan.ts), so this check's own plain probe cannot silence it.
 */
export function sharedTcpDestinations(catalog: Catalog): Set<string> {
  const tls = new Set<string>();
  const tcp = new Set<string>();
  for (const target of iceTargets(catalog)) {
    const dest = destination(target.url);
    if (dest !== undefined) (dest.scheme === 'turns' ? tls : tcp).add(dest.key);
  }
  return new Set([...tls].filter((key) => tcp.has(key)));
}

/** The destination key of an ICE URL that is one of `shared`, with whether it is the TLS or the plain probe there. */
export function sharedDestinationOf(url: string, shared: ReadonlySet<string>): { key: string; tls: boolean } | undefined {
  const dest = destination(url);
  return dest !== undefined && shared.has(dest.key) ? { key: dest.key, tls: dest.scheme === 'turns' } : undefined;
}

/**
 * The TURN/TLS targets of `catalog` whose silence says nothing in a check starting at `nowMs`: every one at a
 * destination it shares with a plain-TCP TURN target, when the check before it (`previous`, whatever became of it)
 * ended less than RESIDUAL_MS before. That check may have sent the plain Allocate there even where its report holds no
 * result for it (cancelled while the probe ran, the prober broke, the worker stopped before saving), and a check
 * cancelled early may itself have followed one that did. The person checking again a minute later must not read the
 * block our own first check caused; a relay really dropped reads "blocked" again once the window has passed.
 */
export function residualTargets(catalog: Catalog, previous: Report | null, nowMs: number): Set<string> {
  if (previous === null) return new Set();
  // A check never finished (the worker stopped mid-check) counts as ending a whole window after it started.
  const endedMs = Date.parse(previous.finishedAt ?? previous.startedAt) + (previous.finishedAt === undefined ? RESIDUAL_MS : 0);
  if (!Number.isFinite(endedMs) || nowMs - endedMs >= RESIDUAL_MS) return new Set();
  const shared = sharedTcpDestinations(catalog);
  return new Set(iceTargets(catalog).flatMap((target) => (sharedDestinationOf(target.url, shared)?.tls === true ? [target.id] : [])));
}

/** A silent result of a residual target says so: its silence is then no evidence (silence.ts isUnconfirmedSilence). */
export function markResidual(result: IceProbeResult, residual: ReadonlySet<string>): IceProbeResult {
  return residual.has(result.id) && isSilentIce(result) ? { ...result, residual: true } : result;
}

/**
 * A plain-TCP TURN probe that waited for its TLS siblings (check-plan.ts `afterTls`) is probed once, after their
 * second probe. Where a sibling at its address and port stayed silent through both of its passes, its one silence
 * follows two of theirs at the same address and port, none after a probe of ours there: the judge reads it as
 * confirmed. The observation stays as measured (like silence.ts heardInBurst).
 */
export function siblingConfirmed(catalog: Catalog, observations: Observations): Observations {
  const shared = sharedTcpDestinations(catalog);
  if (shared.size === 0) return observations;
  const urlOf = new Map(iceTargets(catalog).map((t) => [t.id, t.url]));
  const destOf = (id: string) => {
    const url = urlOf.get(id);
    return url === undefined ? undefined : sharedDestinationOf(url, shared);
  };
  const silentTls = new Set(
    observations.ice.flatMap((r) => {
      const dest = destOf(r.id);
      return dest?.tls === true && isSilentIce(r) && !isUnconfirmedSilence(r) ? [dest.key] : [];
    }),
  );
  if (silentTls.size === 0) return observations;
  const ice = observations.ice.map((r): IceProbeResult => {
    const dest = destOf(r.id);
    if (dest === undefined || dest.tls || !silentTls.has(dest.key) || !isUnconfirmedSilence(r) || r.residual === true) return r;
    return { ...r, attempts: CONFIRMING_PASSES };
  });
  return { ...observations, ice };
}
