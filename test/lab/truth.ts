// What is true for a user on a lab network, as checks on a report: exact tables where the truth is exact, rules where it is not (a slow link may read "works" or "degraded: slow", never "blocked").
import { isDeepStrictEqual } from 'node:util';
import type { Catalog, Confidence } from '../../src/core/catalog';
import type { Advice, Reason } from '../../src/core/reasons';
import type { Report, Verdict } from '../../src/core/report';
import type { Row, Table } from '../support/expected-verdicts';

export interface Expectation {
  apps: Table;
  overall: { verdict: Verdict; confidence: Confidence; reasons: readonly Reason[]; advice?: readonly Advice[] };
  /** Advice expected for particular apps. */
  appAdvice?: Readonly<Record<string, readonly Advice[]>>;
}

export interface Truth {
  /** Apps this network really blocks: no other app may read "blocked" (verdict, messaging or calls). */
  blocked: readonly string[];
  /** What is wrong with an answer; empty when it is right. */
  judge(report: Report): string[];
}

/**
 * Quality findings: what a slow, lossy or delayed path may honestly read as. `SLOW_LINK` ("slow
 * connection") is written as a string so these rules hold before and after the engine has it.
 */
export const QUALITY_REASONS: ReadonlySet<string> = new Set(['SLOW_LINK', 'LOSSY', 'HIGH_LATENCY', 'HIGH_JITTER']);
/**
 * Not a finding about the path: the app has no media server of its own to probe (its calls inferred from general
 * tests, or judged from its call ports through the relay, which only relay scenarios allow).
 */
const NOTE_REASONS: ReadonlySet<string> = new Set(['MEDIA_INFERRED', 'MEDIA_REFLECTED']);

const rowText = (row: Row | undefined): string => (row === undefined ? 'nothing' : `${row[0]}/${row[1]} [${row[2].join(', ')}]`);

function rowsOf(report: Report): Record<string, Row> {
  return Object.fromEntries(report.apps.map((a) => [a.appId, [a.verdict, a.confidence, a.reasons] as const]));
}

/** Apps that read "blocked" in any part of their row although the network does not block them. */
export function falselyBlocked(report: Report, truth: Truth): string[] {
  return report.apps
    .filter((a) => !truth.blocked.includes(a.appId) && (a.verdict === 'blocked' || a.messaging === 'blocked' || a.calls === 'blocked'))
    .map((a) => `${a.appId} (${a.verdict}, messaging ${a.messaging}, calls ${a.calls}: ${a.reasons.join(', ')})`);
}

function judgeAgainst(report: Report, expected: Expectation): string[] {
  const problems: string[] = [];
  const rows = rowsOf(report);
  for (const appId of new Set([...Object.keys(expected.apps), ...Object.keys(rows)])) {
    if (!isDeepStrictEqual(rows[appId], expected.apps[appId])) problems.push(`${appId}: ${rowText(rows[appId])}, expected ${rowText(expected.apps[appId])}`);
  }
  for (const [appId, advice] of Object.entries(expected.appAdvice ?? {})) {
    const got = report.apps.find((a) => a.appId === appId)?.advice;
    if (!isDeepStrictEqual(got, advice)) problems.push(`${appId} advice: [${(got ?? []).join(', ')}], expected [${advice.join(', ')}]`);
  }
  const { advice, ...overall } = expected.overall;
  const got = report.overall;
  if (got === undefined) problems.push('no overall answer');
  else {
    if (got.verdict !== overall.verdict || got.confidence !== overall.confidence || !isDeepStrictEqual(got.reasons, overall.reasons)) {
      problems.push(`overall: ${got.verdict}/${got.confidence} [${got.reasons.join(', ')}], expected ${overall.verdict}/${overall.confidence} [${overall.reasons.join(', ')}]`);
    }
    if (advice !== undefined && !isDeepStrictEqual(got.advice, advice)) problems.push(`overall advice: [${got.advice.join(', ')}], expected [${advice.join(', ')}]`);
  }
  return problems;
}

/** The answer must be exactly this table (or one of these, compared with the one whose overall reasons match). */
export function exactly(expected: Expectation | readonly Expectation[]): Truth {
  const variants: readonly Expectation[] = Array.isArray(expected) ? expected : [expected as Expectation];
  const blocked = [...new Set(variants.flatMap((e) => Object.entries(e.apps).filter(([, row]) => row[0] === 'blocked').map(([id]) => id)))];
  return {
    blocked,
    judge(report) {
      const closest = variants.find((e) => isDeepStrictEqual(e.overall.reasons, report.overall?.reasons)) ?? variants[0];
      return closest === undefined ? ['the scenario expects nothing'] : judgeAgainst(report, closest);
    },
  };
}

/** A really blocked app: it must read "blocked" with (at least) these reasons, whatever quality notes the path adds. */
export interface Block {
  appId: string;
  reasons: readonly Reason[];
}

function judgeBlock(report: Report, block: Block): string[] {
  const app = report.apps.find((a) => a.appId === block.appId);
  if (app === undefined) return [`${block.appId}: no row`];
  const missing = block.reasons.filter((r) => !app.reasons.includes(r));
  return app.verdict === 'blocked' && missing.length === 0
    ? []
    : [`${block.appId}: ${app.verdict}/${app.confidence} [${app.reasons.join(', ')}], expected blocked with ${block.reasons.join(', ')}`];
}

/** Every app works or is degraded for a quality reason only (no reachability finding), and the overall answer likewise. */
function judgeQualityOnly(report: Report, apps: readonly string[]): string[] {
  const problems: string[] = [];
  for (const appId of apps) {
    const app = report.apps.find((a) => a.appId === appId);
    if (app === undefined) {
      problems.push(`${appId}: no row`);
      continue;
    }
    const wrong = app.reasons.filter((r) => !QUALITY_REASONS.has(r) && !NOTE_REASONS.has(r));
    const quality = app.reasons.filter((r) => QUALITY_REASONS.has(r));
    const ok = (app.verdict === 'works' || (app.verdict === 'degraded' && quality.length > 0)) && wrong.length === 0;
    if (!ok) problems.push(`${appId}: ${app.verdict}/${app.confidence} [${app.reasons.join(', ')}], expected works, or degraded for a quality reason only`);
  }
  return problems;
}

/** The overall answer works, or is degraded for `allowed` quality reasons only (by default any). */
function judgeOverallQualityOnly(report: Report, allowed: ReadonlySet<string> = QUALITY_REASONS): string[] {
  const o = report.overall;
  if (o === undefined) return ['no overall answer'];
  const wrong = o.reasons.filter((r) => !allowed.has(r));
  const ok = (o.verdict === 'works' || o.verdict === 'degraded') && wrong.length === 0;
  return ok ? [] : [`overall: ${o.verdict}/${o.confidence} [${o.reasons.join(', ')}], expected works or degraded for ${[...allowed].join(', ')} only`];
}

/**
 * A slow link (and perhaps one really blocked app): the block must still read "blocked" with its
 * reasons; every other app "works" or is "degraded" for a quality reason ("slow connection",
 * latency, loss), never blocked, never a reachability reason.
 */
export function slowLink(catalog: Catalog, block?: Block): Truth {
  const others = catalog.apps.map((a) => a.id).filter((id) => id !== block?.appId);
  return {
    blocked: block === undefined ? [] : [block.appId],
    judge: (report) => [...(block === undefined ? [] : judgeBlock(report, block)), ...judgeQualityOnly(report, others), ...judgeOverallQualityOnly(report)],
  };
}

/**
 * Loss or delay aimed at one app's servers: that app is degraded for one of `findings` (and no
 * reachability reason: loss that lets answers through is never UDP_BLOCKED); every other app answers
 * exactly as on the open network; the overall answer works, or names no finding but that app's
 * (the link itself is neither slow nor jittery).
 */
export function oneAppDegraded(catalog: Catalog, open: Table, appId: string, findings: readonly string[], options: { mayWork?: boolean } = {}): Truth {
  return {
    blocked: [],
    judge(report) {
      const problems: string[] = [];
      const rows = rowsOf(report);
      const app = report.apps.find((a) => a.appId === appId);
      const wrong = app?.reasons.filter((r) => !QUALITY_REASONS.has(r) && !NOTE_REASONS.has(r)) ?? [];
      const works = options.mayWork === true && app?.verdict === 'works' && wrong.length === 0;
      if (!works && (app === undefined || app.verdict !== 'degraded' || !app.reasons.some((r) => findings.includes(r)) || wrong.length > 0)) {
        problems.push(`${appId}: ${rowText(rows[appId])}, expected ${options.mayWork ? 'works, or ' : ''}degraded with ${findings.join(' or ')} and no reachability reason`);
      }
      for (const other of catalog.apps.map((a) => a.id).filter((id) => id !== appId)) {
        const expected = open[other];
        const row = rows[other];
        if (expected === undefined) {
          // An app the open table does not know yet (a newer catalog): untouched, so it works.
          if (row?.[0] !== 'works' || row[2].some((r) => !NOTE_REASONS.has(r))) problems.push(`${other}: ${rowText(row)}, expected works (its path is untouched)`);
        } else if (!isDeepStrictEqual(rows[other], expected)) problems.push(`${other}: ${rowText(rows[other])}, expected ${rowText(expected)} (its path is untouched)`);
      }
      return [...problems, ...judgeOverallQualityOnly(report, new Set(findings))];
    },
  };
}
