// The headline a person reads: an answer about the apps they call with (their pinned apps), from a report's verdicts.
import type { Confidence } from './catalog';
import { reasonKind } from './reasons';
import type { AppVerdict, Overall } from './report';

/*
 * Why not the overall answer (verdict.ts overallOf): it votes across every app, so with WhatsApp
 * blocked and 15 other apps fine it said "Yes, calls should work". A person whose family is on
 * WhatsApp needs "WhatsApp calls are blocked on this network" first. The headline therefore
 * speaks about the person's own apps, and never gives a plain "yes" while one of them, or any app
 * the network blocks, is blocked or degraded.
 */

export type HeadlineKind =
  /** No control answered: nothing about any app can be said. */
  | 'offline'
  /** A captive portal answered in the servers' place: sign in first. */
  | 'portal'
  /** None of the apps spoken for could be judged. */
  | 'unknown'
  /** At least one app spoken for is blocked. */
  | 'blocked'
  /** None blocked, at least one degraded. */
  | 'degraded'
  /** Every app spoken for that was judged works. */
  | 'works';

export interface Headline {
  kind: HeadlineKind;
  /** Whose apps the headline speaks for: the pinned ones that were checked, else every checked app. */
  scope: 'pinned' | 'all';
  /** App ids, each list in the report's order. */
  blocked: string[];
  degraded: string[];
  works: string[];
  unknown: string[];
  /** Why the degraded apps are degraded: only sound quality, or their connections (partial, fallback). */
  degradedBy: 'quality' | 'reach' | undefined;
  /** With something blocked: apps that work here (tested ones, pinned first), to call with instead. */
  alternatives: string[];
  /** Scope "pinned": other apps the network blocks, so "works" on the pinned apps is never the whole story. */
  elsewhere: string[];
  /** True when every app in scope that was judged is judged, degraded or works, from general tests only. */
  allGuessed: boolean;
  /** How sure, from the tested apps the headline names; undefined for offline and portal (nothing was judged). */
  confidence: Confidence | undefined;
}

/** At most this many apps are suggested instead of a blocked one. */
export const MAX_ALTERNATIVES = 3;

/**
 * A verdict that rests only on general tests, not on the app's own servers: its calls were
 * inferred (MEDIA_INFERRED) and its messaging did not fail (a failing signalling host is the app's
 * own evidence, so a block found that way is tested).
 */
export function isGuessed(verdict: AppVerdict): boolean {
  return verdict.verdict !== 'unknown' && verdict.messaging !== 'blocked' && verdict.reasons.includes('MEDIA_INFERRED');
}

/**
 * A block the network causes, as opposed to this device (LOCAL_INTERFERENCE is a note): the blocks a
 * person must hear about even when none of their own apps is hit.
 */
function blockedByNetwork(verdict: AppVerdict): boolean {
  return verdict.verdict === 'blocked' && verdict.reasons.some((r) => reasonKind(r) !== 'note');
}

/** Degraded for quality findings alone, notes aside. */
function degradedByQualityOnly(verdict: AppVerdict): boolean {
  const causes = verdict.reasons.filter((r) => reasonKind(r) !== 'note');
  return causes.length > 0 && causes.every((r) => reasonKind(r) === 'quality');
}

const RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

/**
 * The lower median of the named tested apps' confidences: one app's doubt does not sink an answer
 * about many, yet the answer is never surer than most of what it rests on. Guessed apps never
 * count (DESIGN.md "Tested vs inferred"); with none tested the answer is a guess: low.
 */
function confidenceOf(named: readonly AppVerdict[]): Confidence {
  const tested = named.filter((v) => !isGuessed(v)).map((v) => v.confidence);
  if (tested.length === 0) return 'low';
  tested.sort((a, b) => RANK[a] - RANK[b]);
  return tested[Math.floor((tested.length - 1) / 2)] ?? 'low';
}

/** Offline or behind a captive portal: then no app can be judged, and the popup shows no rows and no export. */
export function gateOf(overall: Overall | undefined, apps: readonly AppVerdict[]): 'offline' | 'portal' | undefined {
  const reasons = new Set([...(overall?.reasons ?? []), ...apps.flatMap((app) => app.reasons)]);
  if (reasons.has('OFFLINE')) return 'offline';
  if (reasons.has('CAPTIVE_PORTAL')) return 'portal';
  return undefined;
}

/**
 * Rules, in order:
 * 1. offline or captive portal (from the overall reasons or any app's): that, and nothing else.
 * 2. Scope: the pinned apps the report judged or left unknown; with none of them in the report,
 *    every app.
 * 3. Any app in scope blocked ⇒ blocked (naming each), with the tested apps that work as
 *    alternatives (pinned first); else any degraded ⇒ degraded; else any works ⇒ works; else unknown.
 * 4. In scope "pinned", apps outside it that the network blocks are named as "elsewhere".
 * Confidence: from the tested apps the headline names (see confidenceOf).
 */
export function headlineOf(apps: readonly AppVerdict[], overall: Overall | undefined, pinned: readonly string[]): Headline {
  const pinnedSet = new Set(pinned);
  const mine = apps.filter((app) => pinnedSet.has(app.appId));
  const scope = mine.length > 0 ? 'pinned' : 'all';
  const inScope = scope === 'pinned' ? mine : apps;
  const ids = (list: readonly AppVerdict[]) => list.map((app) => app.appId);
  const of = (verdict: AppVerdict['verdict']) => inScope.filter((app) => app.verdict === verdict);
  const blocked = of('blocked');
  const degraded = of('degraded');
  const works = of('works');
  const unknown = of('unknown');
  const gate = gateOf(overall, apps);
  const base = {
    scope,
    blocked: ids(blocked),
    degraded: ids(degraded),
    works: ids(works),
    unknown: ids(unknown),
    degradedBy: degraded.length === 0 ? undefined : degraded.every(degradedByQualityOnly) ? ('quality' as const) : ('reach' as const),
    elsewhere: scope === 'pinned' ? ids(apps.filter((app) => !pinnedSet.has(app.appId) && blockedByNetwork(app))) : [],
    allGuessed: [...blocked, ...degraded, ...works].length > 0 && [...blocked, ...degraded, ...works].every(isGuessed),
  } satisfies Partial<Headline>;

  if (gate !== undefined) return { ...base, kind: gate, alternatives: [], elsewhere: [], confidence: undefined };

  if (blocked.length > 0) {
    const usable = apps.filter((app) => app.verdict === 'works' && !isGuessed(app));
    const alternatives = [...usable.filter((app) => pinnedSet.has(app.appId)), ...usable.filter((app) => !pinnedSet.has(app.appId))];
    return { ...base, kind: 'blocked', alternatives: ids(alternatives.slice(0, MAX_ALTERNATIVES)), confidence: confidenceOf(blocked) };
  }
  if (degraded.length > 0) return { ...base, kind: 'degraded', alternatives: [], confidence: confidenceOf(degraded) };
  if (works.length > 0) return { ...base, kind: 'works', alternatives: [], confidence: confidenceOf(works) };
  return { ...base, kind: 'unknown', alternatives: [], confidence: 'low' };
}
