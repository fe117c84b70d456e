// Picks one app's probe results out of a report's observations and describes each as a row of evidence.
import type { Failure } from '../core/failure';
import type { Observations } from '../core/report';
import { isExpectedFailure } from '../core/target-outcome';
import type { MessageKey } from '../ui/message-format';
import { dnsCheckKey, evidenceKey, outcomeKey } from '../ui/report-text';

/** The parts of a catalog app this needs: which targets are its own. */
export interface AppTargets {
  signalling: readonly { id: string; url: string; expectFailure?: Failure }[];
  media: readonly { id: string; url: string }[];
}

/** A detail is either a message or a technical code shown as is (failure names, HTTP status). */
export type EvidenceDetail = { key: MessageKey; substitutions?: string[] } | { code: string };

export interface EvidenceItem {
  kind: 'http' | 'ice' | 'dns';
  targetId: string;
  /** How the probe travelled: "HTTPS", "TURN/UDP 3478", "DNS". Technical, not translated. */
  via: string;
  outcome: MessageKey;
  /** False when the probe shows a problem, so the row can be marked. */
  ok: boolean;
  ms?: number;
  details: EvidenceDetail[];
}

function schemeOf(url: string): string {
  const scheme = /^([a-z]+):/i.exec(url)?.[1];
  return scheme === undefined ? 'HTTP' : scheme.toUpperCase();
}

/**
 * For an app the catalog does not describe (a custom server) its probes are found by id: the same
 * id or one under it ("custom-1.udp"), since that is how catalog ids are namespaced.
 */
function ownsId(appId: string, id: string): boolean {
  return id === appId || id.startsWith(`${appId}.`);
}

export function evidenceFor(appId: string, targets: AppTargets | undefined, observations: Observations): EvidenceItem[] {
  const signalling = new Map((targets?.signalling ?? []).map((t) => [t.id, t]));
  const media = new Set((targets?.media ?? []).map((t) => t.id));
  const isSignalling = (id: string): boolean => signalling.has(id) || (targets === undefined && ownsId(appId, id));
  const isMedia = (id: string): boolean => media.has(id) || (targets === undefined && ownsId(appId, id));
  const items: EvidenceItem[] = [];

  for (const probe of observations.http.filter((p) => isSignalling(p.id))) {
    const target = signalling.get(probe.id);
    // The catalog can name a failure that in fact proves the host answered (Signal's private CA).
    const ok = probe.outcome === 'reachable' || (target !== undefined && isExpectedFailure(target, probe));
    const details: EvidenceDetail[] = [];
    if (probe.status !== undefined) details.push({ code: `HTTP ${probe.status}` });
    if (probe.failure !== undefined) details.push({ code: probe.failure });
    items.push({
      kind: 'http',
      targetId: probe.id,
      via: target === undefined ? 'HTTP' : schemeOf(target.url),
      outcome: outcomeKey(ok ? 'reachable' : 'failed'),
      ok,
      ms: probe.ms,
      details,
    });
  }

  for (const check of observations.dns.filter((c) => isSignalling(c.targetId))) {
    items.push({
      kind: 'dns',
      targetId: check.targetId,
      via: 'DNS',
      outcome: dnsCheckKey(check.verdict),
      ok: check.verdict === 'consistent' || check.verdict === 'inconclusive',
      details: [],
    });
  }

  for (const probe of observations.ice.filter((p) => isMedia(p.id))) {
    const details: EvidenceDetail[] = [
      probe.evidence === 'server-error'
        ? { key: evidenceKey(probe.evidence), substitutions: [String(probe.errorCode ?? '?')] }
        : { key: evidenceKey(probe.evidence) },
    ];
    if (probe.failure !== undefined) details.push({ code: probe.failure });
    items.push({
      kind: 'ice',
      targetId: probe.id,
      via: `${probe.scheme.toUpperCase()}/${probe.transport.toUpperCase()} ${probe.port}`,
      outcome: outcomeKey(probe.outcome),
      ok: probe.outcome === 'reachable',
      ms: probe.ms,
      details,
    });
  }
  return items;
}
