import { describe, expect, it } from 'vitest';
import { dnsYield, fold, foldTask, httpYield, iceYield, type ProbeValue } from '../../src/core/check-fold';
import type { DnsTask, ProbeTask } from '../../src/core/check-plan';
import type { TaskOutcome } from '../../src/core/pool';
import type { HttpProbeResult, IceProbeResult, Observations } from '../../src/core/report';

const timeout = (id: string): HttpProbeResult => ({ id, outcome: 'failed', failure: 'generic_timeout_error', ms: 1500 });
const source = 'https://example.org';

describe('fold', () => {
  it('appends new results and lets a confirmation replace the first pass\'s result for the same id', () => {
    const obs: Observations = { http: [timeout('a'), timeout('b')], ice: [], dns: [] };
    const next = fold(obs, { http: [{ id: 'a', outcome: 'reachable', status: 200, ms: 80, attempts: 2 }, timeout('c')] });
    expect(next.http.map((r) => [r.id, r.outcome])).toEqual([
      ['b', 'failed'],
      ['a', 'reachable'],
      ['c', 'failed'],
    ]);
    expect(obs.http).toHaveLength(2);
  });
});

describe('httpYield / iceYield', () => {
  it('copies one URL\'s result to every id, marks second attempts, and yields nothing for a task never started', () => {
    const done = httpYield(['x', 'y'], { kind: 'done', value: { id: 'x', outcome: 'reachable', status: 200, ms: 20 }, ms: 20 }, 1500, 2);
    expect(done.results.map((r) => [r.id, r.attempts])).toEqual([
      ['x', 2],
      ['y', 2],
    ]);
    expect(httpYield(['x'], { kind: 'timeout', by: 'task', ms: 1800 }, 1500, 1).results).toEqual([{ id: 'x', outcome: 'failed', failure: 'generic_timeout_error', ms: 1500 }]);
    expect(httpYield(['x'], { kind: 'skipped' }, 1500, 1).results).toEqual([]);
  });

  it('reads a URL the prober left out as silence at the deadline, and a prober that threw as no result', () => {
    const groups = [{ url: 'stun:stun.example:3478', targets: [{ id: 's1', url: 'stun:stun.example:3478', source: 'https://example.org' }] }];
    expect(iceYield(groups, { kind: 'done', value: [], ms: 1000 }, 1000, 1).results).toMatchObject([{ id: 's1', outcome: 'filtered', evidence: 'deadline' }]);
    const broken = iceYield(groups, { kind: 'failed', error: new Error('offscreen gone'), ms: 5 }, 1000, 1);
    expect(broken.results).toEqual([]);
    expect(broken.problem?.message).toBe('ICE probe failed');
  });

  it("yields nothing for a probe the pass's end cut before its own deadline: too short to be silence", () => {
    // 397 ms into a 4 s deadline when the confirmation pass ran out: not a silent pass, so never half of a "blocked".
    expect(httpYield(['x'], { kind: 'timeout', by: 'pool', ms: 397 }, 4000, 2).results).toEqual([]);
    const groups = [{ url: 'stun:stun.example:3478', targets: [{ id: 's1', url: 'stun:stun.example:3478', source: 'https://example.org' }] }];
    expect(iceYield(groups, { kind: 'timeout', by: 'pool', ms: 300 }, 1000, 2).results).toEqual([]);
    // Given its whole deadline, the same silence counts.
    expect(httpYield(['x'], { kind: 'timeout', by: 'pool', ms: 4000 }, 4000, 2).results).toMatchObject([{ id: 'x', failure: 'generic_timeout_error', attempts: 2 }]);
    expect(iceYield(groups, { kind: 'timeout', by: 'pool', ms: 1000 }, 1000, 2).results).toMatchObject([{ id: 's1', evidence: 'deadline', attempts: 2 }]);
  });
});

describe('foldTask', () => {
  const stun = { url: 'stun:s.example:3478', targets: [{ id: 's1', url: 'stun:s.example:3478', source }, { id: 's2', url: 'stun:s.example:3478', source }] };
  const relay = { url: 'turn:t.example:3478', targets: [{ id: 't1', url: 'turn:t.example:3478', source }] };
  const ice: ProbeTask = { kind: 'ice', deadlineMs: 1000, groups: [stun, relay] };
  const web: ProbeTask = { kind: 'http', deadlineMs: 1500, url: 'https://w.example/', targets: [{ id: 'w1', url: 'https://w.example/', source }] };
  const answered: IceProbeResult = { id: 's1', scheme: 'stun', transport: 'udp', port: 3478, outcome: 'reachable', evidence: 'srflx', ms: 40 };
  const iceDone = (results: IceProbeResult[]): TaskOutcome<ProbeValue> => ({ kind: 'done', value: { kind: 'ice', results }, ms: 900 });

  it('holds the parallel pass\'s silence back and keeps what answered, for every id of a URL', () => {
    const folded = foldTask(ice, iceDone([answered]), { attempts: 1, parallel: true });
    if (folded.kind !== 'probed') throw new Error('expected results');
    expect(folded.results.ice.map((r) => [r.id, r.outcome])).toEqual([
      ['s1', 'reachable'],
      ['s2', 'reachable'],
    ]);
    expect(folded.held.ice.map((r) => [r.id, r.outcome, r.evidence])).toEqual([['t1', 'filtered', 'deadline']]);
    expect(folded.held.http).toEqual([]);
  });

  it('records silence as it is in the confirmation pass, counting its attempts', () => {
    const folded = foldTask(web, { kind: 'timeout', by: 'task', ms: 1800 }, { attempts: 2, parallel: false });
    if (folded.kind !== 'probed') throw new Error('expected results');
    expect(folded.results.http).toEqual([{ id: 'w1', outcome: 'failed', failure: 'generic_timeout_error', ms: 1500, attempts: 2 }]);
    expect(folded.held).toEqual({ http: [], ice: [] });
  });

  it('leaves for later a task the parallel pass did not probe: never started, cut short, or waiting for its TLS siblings', () => {
    const options = { attempts: 1, parallel: true };
    expect(foldTask(ice, { kind: 'skipped' }, options)).toEqual({ kind: 'later' });
    expect(foldTask(web, { kind: 'timeout', by: 'pool', ms: 400 }, options)).toEqual({ kind: 'later' });
    expect(foldTask(ice, { kind: 'done', value: { kind: 'deferred' }, ms: 0 }, options)).toEqual({ kind: 'later' });
    // In the confirmation pass the same outcomes are no result at all, never silence.
    const confirming = { attempts: 2, parallel: false };
    expect(foldTask(ice, { kind: 'skipped' }, confirming)).toEqual({ kind: 'probed', results: { http: [], ice: [] }, held: { http: [], ice: [] } });
    expect(foldTask(web, { kind: 'timeout', by: 'pool', ms: 400 }, confirming)).toEqual({ kind: 'probed', results: { http: [], ice: [] }, held: { http: [], ice: [] } });
  });

  it('marks silence the check before may have caused, and names a prober that broke as a problem, not a result', () => {
    const folded = foldTask(ice, iceDone([answered]), { attempts: 2, parallel: false, residual: new Set(['t1', 's1']) });
    if (folded.kind !== 'probed') throw new Error('expected results');
    expect(folded.results.ice.find((r) => r.id === 't1')?.residual).toBe(true);
    expect(folded.results.ice.find((r) => r.id === 's1')?.residual).toBeUndefined();
    const broken = foldTask(ice, { kind: 'failed', error: new Error('offscreen gone'), ms: 5 }, { attempts: 1, parallel: true });
    expect(broken).toMatchObject({ kind: 'probed', results: { http: [], ice: [] }, problem: { message: 'ICE probe failed' } });
  });
});

describe('dnsYield', () => {
  const nx: HttpProbeResult = { id: 'v1', outcome: 'failed', failure: 'dns_nxdomain_error', ms: 20 };
  const task: DnsTask = {
    host: 'v.example',
    group: [
      { target: { id: 'v1', url: 'https://v.example/', source }, result: nx },
      { target: { id: 'v2', url: 'https://v.example/x', source }, result: { ...nx, id: 'v2' } },
    ],
  };

  it('gives the cross-check to every target that named the host', () => {
    const check = { targetId: 'v1', host: 'v.example', system: 'nxdomain' as const, doh: 'answers' as const, verdict: 'dns_tampering' as const };
    const { results, problem } = dnsYield(task, { kind: 'done', value: check, ms: 80 }, {});
    expect(results.map((r) => [r.targetId, r.host, r.verdict])).toEqual([
      ['v1', 'v.example', 'dns_tampering'],
      ['v2', 'v.example', 'dns_tampering'],
    ]);
    expect(problem).toBeUndefined();
  });

  it('reads no DoH answer in time as inconclusive, a cross-check that threw as inconclusive and a problem, and one not run as nothing', () => {
    expect(dnsYield(task, { kind: 'timeout', by: 'task', ms: 2000 }, {}).results.map((r) => [r.targetId, r.system, r.doh, r.verdict])).toEqual([
      ['v1', 'nxdomain', 'failed', 'inconclusive'],
      ['v2', 'nxdomain', 'failed', 'inconclusive'],
    ]);
    const threw = dnsYield(task, { kind: 'failed', error: new Error('bad'), ms: 3 }, {});
    expect(threw.results.every((r) => r.verdict === 'inconclusive')).toBe(true);
    expect(threw.problem?.message).toBe('DNS cross-check failed');
    expect(dnsYield(task, { kind: 'skipped' }, {}).results).toEqual([]);
    expect(dnsYield(task, { kind: 'done', value: null, ms: 1 }, {}).results).toEqual([]);
  });
});
