// Our own plain-TCP TURN probe must not silence a TURN/TLS probe at the same address and port: in this check (the TLS one goes first) or the next (its silence says nothing).
import { describe, expect, it } from 'vitest';
import { anonymise } from '../../src/core/anonymise';
import { planApps, planConfirmation, siblingsFirst, type ProbeTask } from '../../src/core/check-plan';
import { confirmDeadlines, deadlinesFor } from '../../src/core/deadlines';
import { markResidual, RESIDUAL_MS, residualTargets, sharedTcpDestinations, siblingConfirmed } from '../../src/core/residual';
import type { IceProbeResult, Observations } from '../../src/core/report';
import { observationsOf } from '../../src/core/rejudge';
import { isUnconfirmedSilence } from '../../src/core/silence';
import { judge } from '../../src/core/verdict';
import { bundledCatalog, silenceIce, udpBlocked } from './fixtures/observations';
import { sampleReport } from './fixtures/sample-report';

const catalog = bundledCatalog();
const TEAMS_443 = 'worldaz.relay.teams.microsoft.com:443';
const teamsOf = (obs: Observations) => judge(catalog, obs, { final: true }).apps.find((a) => a.appId === 'teams');

describe('a TURN/TLS probe and a plain-TCP one at one address and port', () => {
  it("are Teams' relay on 443 in the bundled catalog (Cloudflare's plain TCP is on 80, its TLS on 443)", () => {
    expect([...sharedTcpDestinations(catalog)]).toEqual([TEAMS_443]);
  });

  it('go in one lane of the parallel pass, the TLS probe first, each on its own', () => {
    const tasks = planApps(catalog, deadlinesFor(40), [], 6).tasks.filter((t) => t.kind === 'ice');
    const laned = tasks.filter((t) => t.lane !== undefined);
    expect(laned.map((t) => (t.kind === 'ice' ? t.groups.map((g) => g.url) : []))).toEqual([
      ['turns:worldaz.relay.teams.microsoft.com:443?transport=tcp'],
      ['turn:worldaz.relay.teams.microsoft.com:443?transport=tcp'],
    ]);
    expect(new Set(laned.map((t) => t.lane)).size).toBe(1);
    // The plain one waits for the TLS one's answer (in the parallel pass; check/probe-tasks.ts).
    expect(laned.map((t) => t.afterTls)).toEqual([undefined, ['teams.relay.tls']]);
    // Every other target is planned as before: once, in no lane.
    const ids = tasks.flatMap((t) => (t.kind === 'ice' ? t.groups.flatMap((g) => g.targets.map((x) => x.id)) : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['teams.relay.udp', 'signal.relay.tcp', 'signal.relay.tls', 'zoom.relay.tls']));
  });
});

describe('the confirmation pass of a plain-TCP probe that waited for its TLS sibling', () => {
  const ids = (task: ProbeTask) => (task.kind === 'http' ? task.targets.map((t) => t.id) : task.groups.flatMap((g) => g.targets.map((t) => t.id)));
  const turn = (id: string, scheme: 'turn' | 'turns', transport: 'udp' | 'tcp' | 'tls', port: number): IceProbeResult => ({
    id,
    scheme,
    transport,
    port,
    outcome: 'filtered',
    evidence: 'deadline',
    failure: 'generic_timeout_error',
    ms: 1500,
  });

  it("takes the TLS sibling's second probe out of its batch and sends it first; the plain probe waits for that task alone", () => {
    // On a queued link: TURN over TCP/TLS in one batch with other apps' relays, after the web host's longer deadline.
    const confirm = confirmDeadlines(10, 500);
    const silences = {
      http: [{ id: 'teams.web', outcome: 'failed' as const, failure: 'generic_timeout_error' as const, ms: 1500 }],
      ice: [turn('teams.relay.udp', 'turn', 'udp', 3478), turn('teams.relay.tls', 'turns', 'tls', 443), turn('zoom.relay.tls', 'turns', 'tls', 443), turn('slack.relay.tls', 'turns', 'tls', 443)],
    };
    const again = planConfirmation(catalog, silences, undefined, confirm, 6);
    const batch = again.find((t) => ids(t).includes('teams.relay.tls'));
    if (batch === undefined) throw new Error('no confirmation task holds the TLS sibling');
    expect(again.indexOf(batch)).toBe(1);
    expect(ids(batch)).toEqual(['teams.relay.tls', 'zoom.relay.tls', 'slack.relay.tls']);
    const plain = planApps(catalog, deadlinesFor(10), [], 6).tasks.find((t) => t.afterTls !== undefined);
    if (plain === undefined) throw new Error('catalog changed: no plain-TCP probe behind a TLS sibling');
    const { tasks, waits } = siblingsFirst(again, [plain]);
    expect(tasks.map(ids)).toEqual([['teams.relay.tls'], ['teams.web'], ['zoom.relay.tls', 'slack.relay.tls'], ['teams.relay.udp']]);
    // Its own deadline, not another's.
    expect(tasks[0]?.deadlineMs).toBe(batch.deadlineMs);
    expect(waits).toHaveLength(1);
    expect(waits[0]?.after).toEqual([tasks[0]]);
    expect(waits[0]?.plain.afterTls).toBeUndefined();
    expect(ids(waits[0]?.plain ?? plain)).toEqual(['teams.relay.tcp']);
    // Every target still probed exactly once.
    expect(tasks.flatMap(ids).sort()).toEqual(again.flatMap(ids).sort());
  });

  it("holds the plain probe until the whole lane of an app that answered elsewhere has ended (its path may be a few kbit/s)", () => {
    const plain = planApps(catalog, deadlinesFor(10), [], 6).tasks.find((t) => t.afterTls !== undefined);
    if (plain === undefined) throw new Error('catalog changed: no plain-TCP probe behind a TLS sibling');
    // A link that did not queue; Teams' web host answered, its other host and its TLS relay did not.
    const silences = {
      http: [{ id: 'teams.free', outcome: 'failed' as const, failure: 'generic_timeout_error' as const, ms: 1500 }],
      ice: [turn('teams.relay.tls', 'turns', 'tls', 443), turn('zoom.relay.tls', 'turns', 'tls', 443)],
    };
    const again = planConfirmation(catalog, silences, undefined, confirmDeadlines(10, 12), 6, new Set(['teams.web']));
    const { tasks, waits } = siblingsFirst(again, [plain]);
    expect(tasks.map(ids)).toEqual([['teams.relay.tls'], ['teams.free'], ['zoom.relay.tls']]);
    expect(tasks[0]?.lane).toBe('teams');
    expect(waits[0]?.after.map(ids)).toEqual([['teams.relay.tls'], ['teams.free']]);
  });

  it('lets the plain probe go at once where its TLS sibling is not probed again (it answered, or gave positive evidence)', () => {
    const plain = planApps(catalog, deadlinesFor(10), [], 6).tasks.find((t) => t.afterTls !== undefined);
    if (plain === undefined) throw new Error('catalog changed: no plain-TCP probe behind a TLS sibling');
    const again = planConfirmation(catalog, { http: [], ice: [turn('zoom.relay.tls', 'turns', 'tls', 443)] }, undefined, confirmDeadlines(10, 500), 6);
    const { tasks, waits } = siblingsFirst(again, [plain]);
    expect(tasks).toEqual(again);
    expect(waits.map((w) => w.after)).toEqual([[]]);
  });
});

describe('the check after one that probed plain TURN over TCP', () => {
  const plainTcp: IceProbeResult = { id: 'teams.relay.tcp', scheme: 'turn', transport: 'tcp', port: 443, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500 };
  const finishedAt = '2026-12-07T08:00:00.000Z';
  const previous = sampleReport({ finishedAt, observations: { ...sampleReport().observations, ice: [plainTcp] } });
  const at = (secondsAfter: number) => Date.parse(finishedAt) + secondsAfter * 1000;

  it('reads the TLS probe at a shared address and port as possibly closed by us, for RESIDUAL_MS after any check', () => {
    expect([...residualTargets(catalog, previous, at(30))]).toEqual(['teams.relay.tls']);
    expect(residualTargets(catalog, previous, at(RESIDUAL_MS / 1000)).size).toBe(0);
    expect(residualTargets(catalog, null, at(1)).size).toBe(0);
    // One whose report holds no plain-TCP result may still have sent it (cancelled mid-probe, the prober broke): the same.
    const cancelled = sampleReport({ status: 'cancelled', finishedAt, observations: { ...previous.observations, ice: [] } });
    expect([...residualTargets(catalog, cancelled, at(1))]).toEqual(['teams.relay.tls']);
    // A catalog with no TLS and plain-TCP TURN at one address and port has nothing to mark.
    const noPair = { ...catalog, apps: catalog.apps.filter((a) => a.id !== 'teams') };
    expect(residualTargets(noPair, previous, at(1)).size).toBe(0);
    // One that never finished (the worker stopped mid-check) counts from its start plus the whole window.
    const unfinished = { ...previous, startedAt: '2026-12-07T07:59:00.000Z' };
    delete unfinished.finishedAt;
    expect([...residualTargets(catalog, unfinished, at(90))]).toEqual(['teams.relay.tls']);
  });

  it('never makes Teams blocked from a TLS silence that may be ours, and says nothing else changed', () => {
    // UDP blocked everywhere, Teams' plain TCP dropped by a protocol filter: its TLS relay is its last way through.
    const filtered = silenceIce(udpBlocked(catalog), (r) => r.id === 'teams.relay.tcp' || r.id === 'teams.relay.tls');
    expect(teamsOf(filtered)?.verdict).toBe('blocked');
    const residual = new Set(['teams.relay.tls']);
    const marked: Observations = { ...filtered, ice: filtered.ice.map((r) => markResidual(r, residual)) };
    const tls = marked.ice.find((r) => r.id === 'teams.relay.tls');
    expect(tls?.residual).toBe(true);
    expect(tls !== undefined && isUnconfirmedSilence(tls)).toBe(true);
    expect(teamsOf(marked)?.verdict).not.toBe('blocked');
    // An answer is never marked: only silence can be ours.
    expect(markResidual({ ...plainTcp, id: 'teams.relay.tls', scheme: 'turns', outcome: 'reachable', evidence: 'server-error' }, residual).residual).toBeUndefined();
  });

  it('keeps the mark in a shared report, so the collector judges it the same', () => {
    const tls: IceProbeResult = { id: 'teams.relay.tls', scheme: 'turns', transport: 'tls', port: 443, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500, attempts: 2, residual: true };
    const shared = anonymise(sampleReport({ observations: { ...sampleReport().observations, ice: [tls] } }), { id: '0d7f7e5e-1c3a-4b6e-9f1a-2b3c4d5e6f70' });
    expect(shared.probes.find((p) => p.targetId === 'teams.relay.tls')).toMatchObject({ residual: true, attempts: 2 });
    expect(observationsOf(catalog, shared)?.ice.find((r) => r.id === 'teams.relay.tls')?.residual).toBe(true);
  });
});

describe('a plain-TCP probe silent once, after its TLS sibling was silent twice', () => {
  const silentOnce: IceProbeResult = { id: 'teams.relay.tcp', scheme: 'turn', transport: 'tcp', port: 443, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500 };
  const tlsSilent: IceProbeResult = { id: 'teams.relay.tls', scheme: 'turns', transport: 'tls', port: 443, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500, attempts: 2 };
  const withIce = (obs: Observations, results: IceProbeResult[]): Observations => ({ ...obs, ice: obs.ice.map((r) => results.find((x) => x.id === r.id) ?? r) });

  it('is read as confirmed: the address and port were silent three times, never after a probe of ours', () => {
    const obs = withIce(udpBlocked(catalog), [silentOnce, tlsSilent]);
    expect(siblingConfirmed(catalog, obs).ice.find((r) => r.id === 'teams.relay.tcp')?.attempts).toBe(2);
    // Teams' relay silent on every transport: its calls blocked, with the reason, as when each had two passes.
    expect(teamsOf(obs)).toMatchObject({ calls: 'blocked', reasons: expect.arrayContaining(['RELAY_UNREACHABLE']) });
    // The observation itself stays as measured.
    expect(obs.ice.find((r) => r.id === 'teams.relay.tcp')?.attempts).toBeUndefined();
  });

  it('is not, where the sibling answered, was silent once, or is residual', () => {
    const read = (sibling: IceProbeResult) => siblingConfirmed(catalog, withIce(udpBlocked(catalog), [silentOnce, sibling])).ice.find((r) => r.id === 'teams.relay.tcp')?.attempts;
    expect(read({ ...tlsSilent, outcome: 'reachable', evidence: 'server-error' })).toBeUndefined();
    const once = { ...tlsSilent };
    delete once.attempts;
    expect(read(once)).toBeUndefined();
    expect(read({ ...tlsSilent, residual: true })).toBeUndefined();
  });
});
