// The lab's judge (test/lab/truth.ts) on made-up reports: a wrong answer must be caught, a right one let through, so a passing lab scenario means what it says.
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog';
import type { AppVerdict, Report } from '../../src/core/report';
import { exactly, falselyBlocked, oneAppDegraded, slowLink } from '../lab/truth';
import { appVerdict, sampleReport } from './fixtures/sample-report';

const catalog = { apps: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } as unknown as Catalog;

function report(apps: AppVerdict[], overall: Report['overall'] = { verdict: 'works', confidence: 'high', reasons: [], advice: [] }): Report {
  return sampleReport({ apps, overall });
}

const works = (id: string) => appVerdict(id);
const slow = (id: string) => appVerdict(id, { verdict: 'degraded', reasons: ['HIGH_LATENCY'] });

describe('lab truth: slow links', () => {
  const truth = slowLink(catalog);

  it('accepts works, and degraded for a quality reason', () => {
    expect(truth.judge(report([works('a'), slow('b'), appVerdict('c', { reasons: ['MEDIA_INFERRED'] })]))).toEqual([]);
  });

  it('rejects a blocked app, a degraded one without a quality reason, and a reachability reason next to a quality one', () => {
    const problems = truth.judge(
      report([
        appVerdict('a', { verdict: 'blocked', messaging: 'blocked', reasons: ['SIGNALLING_UNREACHABLE'] }),
        appVerdict('b', { verdict: 'degraded', reasons: ['UDP_BLOCKED_TCP_FALLBACK'] }),
        appVerdict('c', { verdict: 'degraded', reasons: ['HIGH_LATENCY', 'PARTIAL'] }),
      ]),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(['a', 'b', 'c']);
  });

  it('rejects an unknown app (no answer is not the right answer) and a blocked overall', () => {
    expect(truth.judge(report([works('a'), works('b'), appVerdict('c', { verdict: 'unknown', reasons: [] })]))).toHaveLength(1);
    expect(truth.judge(report([works('a'), works('b'), works('c')], { verdict: 'blocked', confidence: 'high', reasons: [], advice: [] }))).toHaveLength(1);
  });

  it('wants the real block blocked with its reasons, quality notes allowed', () => {
    const withBlock = slowLink(catalog, { appId: 'a', reasons: ['SIGNALLING_UNREACHABLE'] });
    const blocked = appVerdict('a', { verdict: 'blocked', messaging: 'blocked', reasons: ['SIGNALLING_UNREACHABLE', 'HIGH_LATENCY'] });
    expect(withBlock.judge(report([blocked, works('b'), slow('c')]))).toEqual([]);
    expect(withBlock.judge(report([appVerdict('a', { verdict: 'degraded', reasons: ['HIGH_LATENCY'] }), works('b'), works('c')]))).toHaveLength(1);
    expect(withBlock.judge(report([appVerdict('a', { verdict: 'blocked', reasons: ['RELAY_UNREACHABLE'] }), works('b'), works('c')]))).toHaveLength(1);
    expect(withBlock.blocked).toEqual(['a']);
  });
});

describe('lab truth: false "blocked"', () => {
  it('names an app the network does not block that reads blocked in its verdict, messaging or calls', () => {
    const truth = slowLink(catalog, { appId: 'a', reasons: [] });
    const found = falselyBlocked(
      report([appVerdict('a', { verdict: 'blocked' }), appVerdict('b', { verdict: 'degraded', calls: 'blocked', reasons: ['UDP_BLOCKED'] }), works('c')]),
      truth,
    );
    expect(found.map((f) => f.split(' ')[0])).toEqual(['b']);
  });
});

describe('lab truth: one app degraded', () => {
  const open = { a: ['works', 'high', []], b: ['works', 'low', ['MEDIA_INFERRED']], c: ['works', 'high', []] } as const;
  const truth = oneAppDegraded(catalog, open, 'a', ['LOSSY']);
  const lossy = appVerdict('a', { verdict: 'degraded', reasons: ['LOSSY'] });
  const b = appVerdict('b', { confidence: 'low', reasons: ['MEDIA_INFERRED'] });

  it('accepts the app degraded with its finding and the others as on the open network', () => {
    expect(truth.judge(report([lossy, b, works('c')]))).toEqual([]);
  });

  it('rejects the loss read as a UDP block, unseen, or spilled onto another app', () => {
    expect(truth.judge(report([appVerdict('a', { verdict: 'degraded', reasons: ['UDP_BLOCKED_TCP_FALLBACK'] }), b, works('c')]))).toHaveLength(1);
    expect(truth.judge(report([appVerdict('a', { verdict: 'degraded', reasons: ['LOSSY', 'UDP_BLOCKED_TCP_FALLBACK'] }), b, works('c')]))).toHaveLength(1);
    expect(truth.judge(report([works('a'), b, works('c')]))).toHaveLength(1);
    expect(truth.judge(report([lossy, b, appVerdict('c', { verdict: 'degraded', reasons: ['LOSSY'] })]))).toHaveLength(1);
  });

  it('rejects an overall finding about the whole link (it is neither slow nor jittery)', () => {
    const slowOverall: Report['overall'] = { verdict: 'works', confidence: 'high', reasons: ['HIGH_JITTER'], advice: [] };
    expect(truth.judge(report([lossy, b, works('c')], slowOverall))).toHaveLength(1);
    expect(truth.judge(report([lossy, b, works('c')], { verdict: 'degraded', confidence: 'high', reasons: ['LOSSY'], advice: [] }))).toEqual([]);
  });
});

describe('lab truth: exact tables', () => {
  it('compares every row and the overall answer, and counts the table\'s blocked apps as really blocked', () => {
    const truth = exactly({
      apps: { a: ['works', 'high', []], b: ['blocked', 'high', ['CONNECTION_RESET']] },
      overall: { verdict: 'works', confidence: 'high', reasons: [] },
    });
    expect(truth.blocked).toEqual(['b']);
    const right = report([works('a'), appVerdict('b', { verdict: 'blocked', reasons: ['CONNECTION_RESET'] })]);
    expect(truth.judge(right)).toEqual([]);
    expect(truth.judge(report([works('a'), works('b')]))).toHaveLength(1);
    expect(truth.judge({ ...right, overall: { verdict: 'degraded', confidence: 'high', reasons: ['HIGH_JITTER'], advice: [] } })).toHaveLength(1);
  });
});
