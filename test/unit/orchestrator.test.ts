import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCheckRunner } from '../../src/background/orchestrator';
import type { CheckDeps, CheckExtras, CheckOptions } from '../../src/background/check/deps';
import type { CallRelay } from '../../src/core/call-relay';
import { judgeCallTest } from '../../src/core/call-test';
import type { CallTest } from '../../src/core/call-test-result';
import { QUICK_CALL_MS, quickCallLimitMs, quickCallWindow, type QuickCallWindow } from '../../src/core/quick-call';
import { judge as realJudge } from '../../src/core/verdict';
import { parseCatalog, type Catalog, type HttpTarget, type IceTarget } from '../../src/core/catalog';
import { classifyIce } from '../../src/core/classify-ice';
import { PeerConnectionLimitError, fromErrorText } from '../../src/core/device-limit';
import { CONTROLS, GRACE_MS, QUEUED_DRAIN, confirmDeadlines, deadlinesFor } from '../../src/core/deadlines';
import { parseReport, type HttpProbeResult, type IceProbeResult, type Observations, type Report } from '../../src/core/report';
import type { Judgement } from '../../src/core/verdict';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const source = 'https://example.org/source';

function makeCatalog(extra: Partial<Catalog> = {}): Catalog {
  const parsed = parseCatalog({
    version: '2026.11.23',
    controls: {
      http: [
        { id: 'ctl-http-1', url: 'https://ctl1.example/generate_204', source },
        { id: 'ctl-http-2', url: 'https://ctl2.example/generate_204', source },
      ],
      stun: [
        { id: 'ctl-stun-1', url: 'stun:stun1.example:3478', source },
        { id: 'ctl-stun-2', url: 'stun:stun2.example:19302', source },
      ],
    },
    apps: [
      {
        id: 'alpha',
        name: 'Alpha',
        signalling: [
          { id: 'alpha-web', url: 'https://alpha.example/', source },
          { id: 'alpha-api', url: 'https://api.shared.example/', source },
        ],
        media: [
          { id: 'alpha-turn-udp', url: 'turn:turn.alpha.example:3478', source },
          { id: 'alpha-turn-tcp', url: 'turn:turn.alpha.example:443?transport=tcp', source },
        ],
        transports: ['udp', 'tcp'],
        udpPorts: [3478],
        mediaConfidence: 'high',
        sources: [source],
      },
      {
        id: 'beta',
        name: 'Beta',
        signalling: [
          { id: 'beta-web', url: 'https://beta.example/', source },
          { id: 'beta-api', url: 'https://api.shared.example/', source },
        ],
        media: [{ id: 'beta-turn-udp', url: 'turn:turn.alpha.example:3478', source }],
        transports: ['udp'],
        udpPorts: [3478],
        mediaConfidence: 'medium',
        sources: [source],
      },
    ],
    ...extra,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.catalog;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A judge stub whose rows visibly follow the observations: "works" once every signalling target answered. */
function judge(catalog: Catalog, observations: Observations): Judgement {
  return {
    apps: catalog.apps.map((app) => {
      const answered = app.signalling.every((t) => observations.http.some((r) => r.id === t.id && r.outcome === 'reachable'));
      return {
        appId: app.id,
        verdict: answered ? 'works' : 'unknown',
        confidence: 'low',
        messaging: answered ? 'reachable' : 'unknown',
        calls: 'unknown',
        reasons: [],
        advice: [],
      };
    }),
    overall: { verdict: 'works', confidence: 'medium', reasons: [], advice: [] },
    ...(observations.rtt?.medianMs !== undefined && observations.rtt.jitterMs !== undefined
      ? { quality: { rttMs: observations.rtt.medianMs, jitterMs: observations.rtt.jitterMs, r: 90, mos: 4.3, band: 'good' as const } }
      : {}),
  };
}

interface Harness {
  deps: CheckDeps;
  events: { what: string; at: number }[];
  updates: Report[];
  saves: Report[];
  warnings: string[];
}

function harness(overrides: Partial<CheckDeps> = {}): Harness {
  const events: { what: string; at: number }[] = [];
  const updates: Report[] = [];
  const saves: Report[] = [];
  const warnings: string[] = [];
  const log = (what: string): void => {
    events.push({ what, at: Date.now() - T0 });
  };
  const deps: CheckDeps = {
    probeHttp: async (target: HttpTarget): Promise<HttpProbeResult> => {
      log(`http:${target.id}`);
      await sleep(40);
      return { id: target.id, outcome: 'reachable', status: 204, ip: '93.184.216.34', ms: 40, timing: { connectMs: 12 } };
    },
    probeIce: async (targets: IceTarget[], deadlineMs: number): Promise<IceProbeResult[]> => {
      log(`ice:${targets.map((t) => t.id).join(',')}`);
      await sleep(30);
      return targets.map((t) => classifyIce({ id: t.id, url: t.url, errors: [{ code: 401, text: 'Unauthorized', ms: 30 }], deadlineMs }));
    },
    probeNat: async (servers) => {
      log('nat');
      await sleep(20);
      return { mapping: 'endpoint-independent', answered: servers.map((s) => s.id), srflxCount: 1, ipv6: false, ms: 20 };
    },
    probeRtt: async (target, samples, deadlineMs) => {
      log(`rtt:${target.id}:${samples}`);
      await sleep(Math.min(150 * samples, deadlineMs));
      return { targetId: target.id, samples: [150, 152, 149, 151, 150], medianMs: 150, jitterMs: 2 };
    },
    probeLoss: async (target, exchanges) => {
      log(`loss:${target.id}:${exchanges}`);
      await sleep(160);
      return { targetId: target.id, exchanges, answered: exchanges, sent: exchanges, lost: 0, ms: 160 };
    },
    dnsCheck: async () => null,
    judge,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    save: async (report) => {
      saves.push(report);
    },
    onUpdate: (report) => {
      updates.push(report);
    },
    meta: { extensionVersion: '0.1.0', browser: { family: 'chrome', major: 156 } },
    warn: (message) => {
      warnings.push(message);
    },
    ...overrides,
  };
  return { deps, events, updates, saves, warnings };
}

/** Starts a run and lets fake time pass until it finishes; returns the report and when it ended (ms after start). */
async function runToEnd(deps: CheckDeps, catalog = makeCatalog(), options?: CheckOptions, extras?: CheckExtras): Promise<{ report: Report; endedAt: number }> {
  const runner = createCheckRunner(deps, options);
  let endedAt = -1;
  const done = runner.start(catalog, extras).done.then((report) => {
    endedAt = Date.now() - T0;
    return report;
  });
  await vi.advanceTimersByTimeAsync(20_000);
  return { report: await done, endedAt };
}

function expectValid(report: Report): void {
  const parsed = parseReport(JSON.parse(JSON.stringify(report)));
  expect(parsed).toEqual({ ok: true, report: JSON.parse(JSON.stringify(report)) });
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CheckRunner: a healthy run', () => {
  it('runs the controls before any app probe and ends with a valid, complete report', async () => {
    const h = harness();
    const { report, endedAt } = await runToEnd(h.deps);

    // Single RTT samples during the app pass measure its load (below); the five idle ones belong to the controls.
    const controlEvent = new RegExp(`^(http:ctl|nat|rtt:.*:${CONTROLS.rttSamples}$|loss:ctl)`);
    const controlsEnd = Math.max(...h.events.filter((e) => controlEvent.test(e.what)).map((e) => e.at));
    const firstAppProbe = Math.min(...h.events.filter((e) => !controlEvent.test(e.what) && !/^(rtt|loss):/.test(e.what)).map((e) => e.at));
    expect(h.events.slice(0, 3).map((e) => e.what).sort()).toEqual(['http:ctl-http-1', 'http:ctl-http-2', 'nat']);
    expect(h.events.find((e) => e.what.startsWith('rtt:'))?.what).toBe(`rtt:ctl-stun-1:${CONTROLS.rttSamples}`);
    // The loss burst follows the RTT samples, so neither disturbs the other's timing.
    const at = (prefix: string) => h.events.find((e) => e.what.startsWith(prefix))?.at ?? Number.NaN;
    expect(h.events.find((e) => e.what.startsWith('loss:'))?.what).toBe(`loss:ctl-stun-1:${CONTROLS.lossExchanges}`);
    expect(at('loss:')).toBeGreaterThanOrEqual(at('rtt:') + Math.min(150 * CONTROLS.rttSamples, CONTROLS.rttMaxMs));
    expect(report.observations.loss).toMatchObject({ targetId: 'ctl-stun-1', sent: CONTROLS.lossExchanges, lost: 0 });
    expect(firstAppProbe).toBeGreaterThan(controlsEnd);

    expect(report.status).toBe('done');
    expect(report.finishedAt).toBe(new Date(T0 + endedAt).toISOString());
    expect(report.startedAt).toBe(new Date(T0).toISOString());
    expect(report.catalogVersion).toBe('2026.11.23');
    expect(report.baselineRttMs).toBe(150);
    expect(report.overall).toEqual({ verdict: 'works', confidence: 'medium', reasons: [], advice: [] });
    expect(report.quality).toMatchObject({ rttMs: 150 });
    expect(report.apps.map((a) => [a.appId, a.verdict])).toEqual([
      ['alpha', 'works'],
      ['beta', 'works'],
    ]);
    expect(report.observations.nat).toMatchObject({ mapping: 'endpoint-independent' });
    expect(report.observations.rtt).toMatchObject({ medianMs: 150 });
    // Every phase with its times, in order; the confirmation pass had nothing to do and the DoH check ran beside it.
    expect(report.phases?.map((p) => p.phase)).toEqual(['controls', 'apps', 'confirm', 'dns', 'paths']);
    // Each app's path, measured once per server after the other passes: alpha and beta share one relay.
    expect(h.events.filter((e) => e.what.startsWith('rtt:alpha-turn-udp:') || e.what.startsWith('rtt:beta-turn-udp:'))).toHaveLength(1);
    expect(report.observations.paths?.rtt.map((r) => r.targetId).sort()).toEqual(['alpha-turn-udp', 'beta-turn-udp']);
    expect(report.observations.paths?.loss.map((r) => r.targetId).sort()).toEqual(['alpha-turn-udp', 'beta-turn-udp']);
    const paths = report.phases?.find((p) => p.phase === 'paths');
    expect(paths?.startMs).toBeGreaterThanOrEqual(report.phases?.find((p) => p.phase === 'apps')?.endMs ?? Infinity);
    const [controls, apps] = report.phases ?? [];
    expect(controls?.endMs).toBeLessThanOrEqual(apps?.startMs ?? -1);
    for (const p of report.phases ?? []) expect(p.endMs ?? -1).toBeGreaterThanOrEqual(p.startMs);
    expect(report.observations.http.map((r) => r.id).sort()).toEqual(
      ['alpha-api', 'alpha-web', 'beta-api', 'beta-web', 'ctl-http-1', 'ctl-http-2'].sort(),
    );
    expect(report.observations.ice.map((r) => [r.id, r.outcome, r.evidence]).sort()).toEqual([
      ['alpha-turn-tcp', 'reachable', 'server-error'],
      ['alpha-turn-udp', 'reachable', 'server-error'],
      ['beta-turn-udp', 'reachable', 'server-error'],
    ]);
    expectValid(report);
    // Healthy network: well inside the ~3 s budget.
    expect(endedAt).toBeLessThan(3000);
  });

  it('records the kind of link where the browser tells it, and nothing where it does not', async () => {
    const told = await runToEnd(harness({ connectionType: () => 'cellular' }).deps);
    expect(told.report.connection).toEqual({ type: 'cellular' });
    expectValid(told.report);
    const untold = await runToEnd(harness({ connectionType: () => undefined }).deps);
    expect('connection' in untold.report).toBe(false);
  });

  it('derives the app deadlines from the baseline RTT', async () => {
    const httpDeadlines = new Map<string, number>();
    const iceDeadlines = new Map<string, number>();
    const h = harness();
    const probeHttp = h.deps.probeHttp;
    const probeIce = h.deps.probeIce;
    h.deps.probeHttp = (target, deadlineMs, signal) => {
      httpDeadlines.set(target.id, deadlineMs);
      return probeHttp(target, deadlineMs, signal);
    };
    h.deps.probeIce = (targets, deadlineMs) => {
      for (const t of targets) iceDeadlines.set(t.id, deadlineMs);
      return probeIce(targets, deadlineMs);
    };
    await runToEnd(h.deps);
    const expected = deadlinesFor(150);
    expect(expected).toMatchObject({ httpMs: 2200, iceUdpMs: 1500, iceTcpMs: 2200 });
    expect(httpDeadlines.get('alpha-web')).toBe(expected.httpMs);
    expect(iceDeadlines.get('alpha-turn-udp')).toBe(expected.iceUdpMs);
    expect(iceDeadlines.get('alpha-turn-tcp')).toBe(expected.iceTcpMs);
    // Controls run before any baseline exists, on fixed deadlines.
    expect(httpDeadlines.get('ctl-http-1')).toBe(2500);
  });

  it('probes a URL shared by several ids once and attributes the result to each', async () => {
    const h = harness();
    const { report } = await runToEnd(h.deps);
    expect(h.events.filter((e) => e.what === 'http:alpha-api' || e.what === 'http:beta-api')).toHaveLength(1);
    const iceCalls = h.events.filter((e) => e.what.startsWith('ice:')).map((e) => e.what);
    expect(iceCalls.join(',')).not.toContain('beta-turn-udp');
    const api = report.observations.http.filter((r) => r.id === 'alpha-api' || r.id === 'beta-api');
    expect(api).toHaveLength(2);
    expect(api[0]).toEqual({ ...api[1], id: api[0]?.id });
    expect(report.observations.ice.find((r) => r.id === 'beta-turn-udp')).toMatchObject({ outcome: 'reachable', port: 3478 });
  });

  it('reuses a control result for an app target with the same URL', async () => {
    const h = harness();
    const base = makeCatalog();
    const catalog = makeCatalog({
      apps: [
        ...base.apps,
        { ...(base.apps[0] as Catalog['apps'][number]), id: 'gamma', signalling: [{ id: 'gamma-web', url: 'https://ctl1.example/generate_204', source }], media: [] },
      ],
    });
    const { report } = await runToEnd(h.deps, catalog);
    expect(h.events.filter((e) => e.what === 'http:gamma-web')).toHaveLength(0);
    expect(report.observations.http.find((r) => r.id === 'gamma-web')).toMatchObject({ outcome: 'reachable', status: 204 });
  });

  it('batches ICE targets by transport and batch size', async () => {
    const h = harness();
    const base = makeCatalog();
    const many = Array.from({ length: 5 }, (_, i) => ({ id: `m-udp-${i}`, url: `stun:s${i}.example:3478`, source }));
    const catalog = makeCatalog({
      apps: [{ ...(base.apps[1] as Catalog['apps'][number]), media: [...many, { id: 'm-tls', url: 'turns:t.example:443', source }] }],
    });
    await runToEnd(h.deps, catalog, { iceBatchSize: 2 });
    const batches = h.events.filter((e) => e.what.startsWith('ice:')).map((e) => e.what.slice(4).split(','));
    expect(batches).toEqual([['m-udp-0', 'm-udp-1'], ['m-udp-2', 'm-udp-3'], ['m-udp-4'], ['m-tls']]);
  });
});

describe('CheckRunner: progress and saving', () => {
  it('publishes every result and saves at a throttled rate, first and last always', async () => {
    const h = harness();
    const { report } = await runToEnd(h.deps);
    expect(h.updates[0]).toMatchObject({ status: 'running', observations: { http: [], ice: [], dns: [] } });
    expect(h.updates.at(-1)).toEqual(report);
    // Observations only grow.
    const sizes = h.updates.map((r) => r.observations.http.length + r.observations.ice.length);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    // Per-app rows are recomputed live, before the end.
    expect(h.updates.some((r) => r.status === 'running' && r.apps.some((a) => a.verdict === 'works'))).toBe(true);
    expect(h.updates.filter((r) => r.status === 'running').every((r) => r.overall === undefined)).toBe(true);

    expect(h.saves[0]?.status).toBe('running');
    expect(h.saves.at(-1)).toEqual(report);
    expect(h.saves.length).toBeLessThan(h.updates.length);
    for (const saved of h.saves) expect(saved.id).toBe(report.id);
  });

  it('keeps saves in order even when storage is slow', async () => {
    const h = harness({
      save: async (report) => {
        await sleep(700);
        h.saves.push(report);
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(h.saves.at(-1)).toEqual(report);
    expect(h.saves.filter((r) => r.status === 'done')).toHaveLength(1);
  });

  it('survives a failing save and a failing progress listener', async () => {
    const h = harness({
      save: () => Promise.reject(new Error('quota')),
      onUpdate: () => {
        throw new Error('port closed');
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(report.status).toBe('done');
    expect(h.warnings).toContain('saving the report failed');
    expect(h.warnings).toContain('progress listener failed');
  });
});

describe('CheckRunner: a network that drops everything silently', () => {
  it('ends within the ~6 s budget with timeout and filtered outcomes', async () => {
    const h = harness({
      probeHttp: () => never(),
      probeIce: () => never(),
      probeNat: () => never(),
      probeRtt: () => never(),
    });
    const { report, endedAt } = await runToEnd(h.deps);
    expect(report.status).toBe('done');
    expect(endedAt).toBeLessThanOrEqual(6000);
    expect(report.baselineRttMs).toBeUndefined();
    expect(report.observations.nat).toBeUndefined();
    expect(report.observations.rtt).toBeUndefined();
    expect(report.observations.http).toHaveLength(6);
    for (const result of report.observations.http) {
      expect(result).toMatchObject({ outcome: 'failed', failure: 'generic_timeout_error' });
    }
    expect(report.observations.ice.map((r) => [r.id, r.outcome, r.evidence, r.ms]).sort()).toEqual([
      ['alpha-turn-tcp', 'filtered', 'deadline', 3000],
      ['alpha-turn-udp', 'filtered', 'deadline', 2500],
      ['beta-turn-udp', 'filtered', 'deadline', 2500],
    ]);
    expectValid(report);
  });

  it('counts a target the prober left out as filtered at the deadline', async () => {
    const h = harness({
      probeIce: async () => {
        await sleep(10);
        return [];
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')).toMatchObject({ outcome: 'filtered', evidence: 'deadline' });
  });

  it('measures no loss where the browser cannot (no probeLoss), and still takes RTT samples', async () => {
    const h = harness({ probeLoss: undefined });
    const { report } = await runToEnd(h.deps);
    expect(report.observations.rtt).toBeDefined();
    expect(report.observations.loss).toBeUndefined();
    expect(h.warnings).toEqual([]);
  });

  it('skips the RTT samples when no control STUN server answered and falls back to the HTTP connect time', async () => {
    const h = harness({
      probeNat: async () => ({ mapping: 'unknown', answered: [], srflxCount: 0, ipv6: false, ms: 1500 }),
    });
    const { report } = await runToEnd(h.deps);
    expect(h.events.some((e) => /^(rtt|loss):ctl/.test(e.what))).toBe(false);
    expect(report.baselineRttMs).toBe(12);
  });
});

describe('CheckRunner: the paths phase', () => {
  /** Alpha and beta on relays of their own, so the paths phase sends two bursts at once. */
  function twoPaths(): Catalog {
    const base = makeCatalog();
    return { ...base, apps: base.apps.map((app) => (app.id === 'beta' ? { ...app, media: [{ id: 'beta-turn-udp', url: 'turn:turn.beta.example:3478', source }] } : app)) };
  }

  /** A loss prober that records whom it was asked about and loses `lostOn(target, nth burst to it)` sends. */
  function lossProber(calls: string[], lostOn: (targetId: string, nth: number) => number): CheckDeps['probeLoss'] {
    return async (target, exchanges) => {
      calls.push(target.id);
      await sleep(160);
      const lost = lostOn(target.id, calls.filter((c) => c === target.id).length);
      return { targetId: target.id, exchanges, answered: exchanges, sent: exchanges + lost, lost, ms: 160 };
    };
  }

  it("measures a path that read lossy among the others again, alone with the lossy ones, and that figure stands", async () => {
    const calls: string[] = [];
    // Alpha's first burst lost 8 of 40 sends (our own parallel bursts, say); its second is clean.
    const h = harness({ probeLoss: lossProber(calls, (id, nth) => (id === 'alpha-turn-udp' && nth === 1 ? 8 : 0)) });
    const { report } = await runToEnd(h.deps, twoPaths());
    // One burst per path at once, then alpha's again, alone.
    const paths = calls.filter((c) => c !== 'ctl-stun-1');
    expect(paths.slice(0, 2).sort()).toEqual(['alpha-turn-udp', 'beta-turn-udp']);
    expect(paths.slice(2)).toEqual(['alpha-turn-udp']);
    expect(report.observations.paths?.loss.find((l) => l.targetId === 'alpha-turn-udp')?.lost).toBe(0);
    expectValid(report);
  });

  /** Alpha's relay silent in both passes, beta's answering; each loaded RTT sample takes and reads `loadedMs` (idle 150). */
  async function slowLinkPaths(loadedMs: number): Promise<{ calls: string[]; report: Report }> {
    const calls: string[] = [];
    const h = harness({
      probeLoss: lossProber(calls, () => 0),
      probeRtt: async (target, samples, deadlineMs) => {
        await sleep(Math.min(samples === 1 ? loadedMs : 150 * samples, deadlineMs));
        const ms = samples === 1 ? loadedMs : 150;
        return { targetId: target.id, samples: Array.from({ length: samples }, () => ms), medianMs: ms, jitterMs: 0 };
      },
    });
    const probeIce = h.deps.probeIce;
    h.deps.probeIce = async (targets, deadlineMs) => {
      const answering = targets.filter((t) => t.id !== 'alpha-turn-udp');
      if (answering.length < targets.length) await sleep(deadlineMs);
      return answering.length === 0 ? [] : probeIce(answering, deadlineMs);
    };
    const { report } = await runToEnd(h.deps, twoPaths());
    return { calls: calls.filter((c) => c !== 'ctl-stun-1'), report };
  }

  it('on a slow link (two loaded samples 350 ms over idle): an answering path is not measured, a silent one keeps its burst', async () => {
    const { calls, report } = await slowLinkPaths(500);
    expect(report.observations.loadedRtt).toMatchObject({ samples: [500, 500], medianMs: 500 });
    expect(calls).toEqual(['alpha-turn-udp']);
    expect(report.observations.paths?.rtt ?? []).toEqual([]);
    expect(report.observations.paths?.loss.map((l) => l.targetId)).toEqual(['alpha-turn-udp']);
    // Beta has no quality of its own: absent, not one scored without its loss.
    expect(report.apps.find((a) => a.appId === 'beta')?.quality).toBeUndefined();
    expectValid(report);
  });

  it('one late loaded sample (a busy CPU can give it) is not a slow link: every path is measured', async () => {
    const { calls, report } = await slowLinkPaths(700);
    expect(report.observations.loadedRtt?.samples).toEqual([700]);
    expect([...calls].sort()).toEqual(['alpha-turn-udp', 'beta-turn-udp']);
    expect(report.observations.paths?.rtt.map((r) => r.targetId)).toEqual(['beta-turn-udp']);
  });

  it('keeps loss that shows again: aimed at the app, it is the path, not our load', async () => {
    const calls: string[] = [];
    const h = harness({ probeLoss: lossProber(calls, (id) => (id === 'alpha-turn-udp' ? 8 : 0)) });
    const { report } = await runToEnd(h.deps, twoPaths());
    expect(calls.filter((c) => c === 'alpha-turn-udp')).toHaveLength(2);
    expect(calls.filter((c) => c === 'beta-turn-udp')).toHaveLength(1);
    expect(report.observations.paths?.loss.find((l) => l.targetId === 'alpha-turn-udp')?.lost).toBe(8);
  });
});

describe('CheckRunner: silence is confirmed before it counts', () => {
  /** Probes that stay silent on their first `silentCalls` calls per id, then answer; in-flight counts per pass. */
  function flaky(silentCalls: Record<string, number>, extra: Partial<CheckDeps> = {}) {
    const calls = new Map<string, number>();
    const deadlines: { id: string; deadlineMs: number; at: number }[] = [];
    let inFlight = 0;
    let peak = 0;
    const h = harness(extra);
    const call = (id: string): boolean => {
      const n = (calls.get(id) ?? 0) + 1;
      calls.set(id, n);
      return n <= (silentCalls[id] ?? 0);
    };
    const probeHttp = h.deps.probeHttp;
    const probeIce = h.deps.probeIce;
    h.deps.probeHttp = async (target, deadlineMs, signal) => {
      if (target.id.startsWith('ctl-')) return probeHttp(target, deadlineMs, signal);
      deadlines.push({ id: target.id, deadlineMs, at: Date.now() - T0 });
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        if (call(target.id)) return await never<HttpProbeResult>();
        return await probeHttp(target, deadlineMs, signal);
      } finally {
        inFlight--;
      }
    };
    h.deps.probeIce = async (targets, deadlineMs) => {
      for (const t of targets) deadlines.push({ id: t.id, deadlineMs, at: Date.now() - T0 });
      const answering = targets.filter((t) => !call(t.id));
      // A prober hears nothing from a silent server until our deadline.
      if (answering.length < targets.length) await sleep(deadlineMs);
      return answering.length === 0 ? [] : probeIce(answering, deadlineMs);
    };
    return { h, calls, deadlines, peak: () => peak };
  }

  it('probes silent targets again once the parallel pass has drained; an answer then counts, marked as a second attempt', async () => {
    const { h, calls, deadlines } = flaky({ 'alpha-web': 1, 'alpha-turn-udp': 1 });
    const { report } = await runToEnd(h.deps);
    expect(calls.get('alpha-web')).toBe(2);
    expect(calls.get('alpha-turn-udp')).toBe(2);
    expect(report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({ outcome: 'reachable', attempts: 2 });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')).toMatchObject({ outcome: 'reachable', attempts: 2 });
    // Answered in the first pass: one attempt, not marked.
    expect(report.observations.http.find((r) => r.id === 'beta-web')?.attempts).toBeUndefined();
    // The second attempts start only after every first-pass probe settled (the slowest is the silent one, at its deadline).
    const first = deadlinesFor(150);
    const secondAt = Math.min(...deadlines.filter((d) => d.id === 'alpha-web' || d.id === 'alpha-turn-udp').slice(2).map((d) => d.at));
    const firstPassStart = Math.min(...deadlines.map((d) => d.at));
    expect(secondAt).toBeGreaterThanOrEqual(firstPassStart + first.httpMs);
    // The rows never showed the first-pass silence as a failure: the app was pending, then works.
    expect(h.updates.flatMap((r) => r.apps).some((a) => a.appId === 'alpha' && a.verdict !== 'works' && a.verdict !== 'unknown')).toBe(false);
    expectValid(report);
  });

  /** Alpha's relay also over TLS on the port its plain TCP uses (Teams' relay on 443). */
  const withTlsSibling = (): Catalog => {
    const catalog = makeCatalog();
    const tls: IceTarget = { id: 'alpha-turn-tls', url: 'turns:turn.alpha.example:443?transport=tcp', source };
    return { ...catalog, apps: catalog.apps.map((app) => (app.id === 'alpha' ? { ...app, media: [...app.media, tls] } : app)) };
  };
  const callsOf = (deadlines: { id: string; at: number }[], id: string) => deadlines.filter((d) => d.id === id).map((d) => d.at);

  it('sends a plain-TCP TURN probe only after the TLS probe at its address and port answered', async () => {
    const { h, calls, deadlines } = flaky({});
    const { report } = await runToEnd(h.deps, withTlsSibling());
    expect(calls.get('alpha-turn-tls')).toBe(1);
    expect(calls.get('alpha-turn-tcp')).toBe(1);
    // The TLS probe answers 30 ms after it starts; the plain one starts after that, in the same pass.
    expect(callsOf(deadlines, 'alpha-turn-tcp')[0]).toBeGreaterThanOrEqual((callsOf(deadlines, 'alpha-turn-tls')[0] ?? Infinity) + 30);
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tcp')).toMatchObject({ outcome: 'reachable' });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tcp')?.attempts).toBeUndefined();
  });

  it("holds the plain-TCP probe while its TLS sibling is silent, and sends it only after the TLS probe's second pass", async () => {
    for (const silentTls of [1, 9]) {
      const { h, calls, deadlines } = flaky({ 'alpha-turn-tls': silentTls });
      const { report } = await runToEnd(h.deps, withTlsSibling());
      expect(calls.get('alpha-turn-tls')).toBe(2);
      expect(calls.get('alpha-turn-tcp')).toBe(1);
      // Not before the TLS probe's second attempt has ended (its answer, 30 ms; or its deadline, silent).
      const [, secondTls] = callsOf(deadlines, 'alpha-turn-tls');
      const tlsDeadline = deadlines.find((d) => d.id === 'alpha-turn-tls' && d.at === secondTls)?.deadlineMs ?? 0;
      expect(callsOf(deadlines, 'alpha-turn-tcp')[0]).toBeGreaterThanOrEqual((secondTls ?? Infinity) + (silentTls === 1 ? 30 : tlsDeadline));
      expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tls')).toMatchObject(silentTls === 1 ? { outcome: 'reachable', attempts: 2 } : { outcome: 'filtered', attempts: 2 });
      // Probed for the first time in the confirmation pass: one attempt.
      expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tcp')?.attempts).toBeUndefined();
      expectValid(report);
    }
  });

  it("sends the plain-TCP probe as soon as its TLS sibling's second probe has ended, beside the rest of the confirmation pass", async () => {
    // beta-web silent twice: its second probe runs its whole deadline; the TLS sibling answers its second at once.
    const { h, calls, deadlines } = flaky({ 'alpha-turn-tls': 1, 'beta-web': 9 });
    const { report } = await runToEnd(h.deps, withTlsSibling());
    expect(calls.get('alpha-turn-tcp')).toBe(1);
    const [, secondTls] = callsOf(deadlines, 'alpha-turn-tls');
    const [, secondWeb] = deadlines.filter((d) => d.id === 'beta-web');
    const plainAt = callsOf(deadlines, 'alpha-turn-tcp')[0] ?? Infinity;
    expect(plainAt).toBeGreaterThanOrEqual((secondTls ?? Infinity) + 30);
    // Not after the whole pass: beta-web's second probe was still waiting for its answer.
    expect(plainAt).toBeLessThan((secondWeb?.at ?? 0) + (secondWeb?.deadlineMs ?? 0));
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tcp')).toMatchObject({ outcome: 'reachable' });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tcp')?.attempts).toBeUndefined();
    expect(report.observations.http.find((r) => r.id === 'beta-web')).toMatchObject({ failure: 'generic_timeout_error', attempts: 2 });
    // The confirmation phase ends with the later of the two.
    const confirm = report.phases?.find((p) => p.phase === 'confirm');
    expect(confirm?.endMs).toBeGreaterThanOrEqual((secondWeb?.at ?? Infinity) + (secondWeb?.deadlineMs ?? 0));
    expectValid(report);
  });

  it("marks the TLS sibling's silence residual when the check before this one may have closed its address and port", async () => {
    const { h } = flaky({ 'alpha-turn-tls': 9 });
    const { report } = await runToEnd(h.deps, withTlsSibling(), undefined, { residual: new Set(['alpha-turn-tls', 'alpha-turn-udp']) });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-tls')).toMatchObject({ outcome: 'filtered', attempts: 2, residual: true });
    // An answer is never marked: only silence may be ours.
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')).toMatchObject({ outcome: 'reachable' });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')?.residual).toBeUndefined();
    expectValid(report);
  });

  it('records silence in both passes as confirmed silence, each target probed twice only', async () => {
    const { h, calls } = flaky({ 'alpha-web': 9, 'alpha-turn-udp': 9 });
    const { report, endedAt } = await runToEnd(h.deps);
    expect(calls.get('alpha-web')).toBe(2);
    expect(calls.get('alpha-turn-udp')).toBe(2);
    expect(report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({ failure: 'generic_timeout_error', attempts: 2 });
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')).toMatchObject({ outcome: 'filtered', attempts: 2 });
    expect(report.observations.http.filter((r) => r.id === 'alpha-web')).toHaveLength(1);
    // Controls ~1.2 s, the first pass's 2.2 s HTTP deadline (RTT 150 ms), then the confirmation's 4 s: alpha's other
    // host answered, so its silent one gets the longest wait (a slow path to one company, deadlines.ts partialHttpMs).
    expect(endedAt).toBeGreaterThan(1200 + 2200 + 4000);
    expect(endedAt).toBeLessThan(8500);
    expectValid(report);
  });

  it("gives a relay silent in both passes its path's loss burst alone (no RTT), as a third and larger test", async () => {
    const { h } = flaky({ 'alpha-turn-udp': 9, 'beta-turn-udp': 9 });
    const { report } = await runToEnd(h.deps);
    expect(report.observations.ice.find((r) => r.id === 'alpha-turn-udp')).toMatchObject({ outcome: 'filtered', attempts: 2 });
    const paths = report.phases?.find((p) => p.phase === 'paths');
    const during = h.events.filter((e) => e.at >= (paths?.startMs ?? Infinity)).map((e) => e.what);
    expect(during.some((w) => w.startsWith('loss:alpha-turn-udp:') || w.startsWith('loss:beta-turn-udp:'))).toBe(true);
    expect(during.some((w) => w.startsWith('rtt:alpha-turn-udp:') || w.startsWith('rtt:beta-turn-udp:'))).toBe(false);
    expect(report.observations.paths?.rtt ?? []).toEqual([]);
    expect(report.observations.paths?.loss.map((l) => l.targetId).sort()).toEqual(['alpha-turn-udp', 'beta-turn-udp']);
  });

  it('never probes positive evidence again: a reset or a refusal is not load', async () => {
    const h = harness();
    const probed: string[] = [];
    h.deps.probeHttp = async (target) => {
      probed.push(target.id);
      await sleep(20);
      if (target.id === 'alpha-web') return { id: target.id, outcome: 'failed', failure: 'connection_reset', ms: 20 };
      return { id: target.id, outcome: 'reachable', status: 204, ms: 20, timing: { connectMs: 12 } };
    };
    const { report } = await runToEnd(h.deps);
    expect(probed.filter((id) => id === 'alpha-web')).toHaveLength(1);
    expect(report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({ failure: 'connection_reset' });
    expect(report.observations.http.find((r) => r.id === 'alpha-web')?.attempts).toBeUndefined();
  });

  it('probes the control STUN servers the NAT probe did not hear from, so UDP silence rests on two passes too', async () => {
    const { h, calls } = flaky(
      { 'ctl-stun-2': 9 },
      { probeNat: async (servers) => ({ mapping: 'unknown', answered: servers.slice(0, 1).map((s) => s.id), srflxCount: 1, ipv6: false, ms: 20 }) },
    );
    const { report } = await runToEnd(h.deps);
    expect(calls.get('ctl-stun-2')).toBe(1);
    expect(calls.get('ctl-stun-1')).toBeUndefined();
    expect(report.observations.ice.find((r) => r.id === 'ctl-stun-2')).toMatchObject({ outcome: 'filtered', attempts: 2 });
  });

  it('measures RTT under the app pass\'s own load; on a slow link it confirms a few at a time, with deadlines from that RTT', async () => {
    const silent = { 'alpha-web': 9, 'beta-web': 9, 'alpha-api': 9, 'alpha-turn-tcp': 9 };
    const { h, deadlines, peak } = flaky(silent, {
      probeRtt: async (target, samples, deadlineMs) => {
        h.events.push({ what: `rtt:${target.id}:${samples}`, at: Date.now() - T0 });
        await sleep(Math.min(samples === 1 ? 700 : 150 * samples, deadlineMs));
        // Idle: 150 ms; under the pass's load the queue adds 550 ms.
        return samples === 1
          ? { targetId: target.id, samples: [700], medianMs: 700, jitterMs: 0 }
          : { targetId: target.id, samples: [150, 150, 150, 150, 150], medianMs: 150, jitterMs: 0 };
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(report.observations.loadedRtt).toMatchObject({ targetId: 'ctl-stun-1', medianMs: 700 });
    expect(report.observations.loadedRtt?.samples.every((s) => s === 700)).toBe(true);
    const confirm = confirmDeadlines(150, 700);
    expect(confirm.concurrency).toBe(3);
    const second = deadlines.filter((d, i) => deadlines.findIndex((e) => e.id === d.id) !== i);
    expect(second.find((d) => d.id === 'alpha-web')?.deadlineMs).toBe(confirm.httpMs);
    expect(second.find((d) => d.id === 'alpha-turn-tcp')?.deadlineMs).toBe(confirm.iceTcpMs);
    expect(confirm.httpMs).toBeGreaterThan(deadlinesFor(150).httpMs);
    // The first pass ran its HTTP probes together; the confirmation pass never more than three.
    expect(peak()).toBeGreaterThan(3);
    const inSecond = second.filter((d) => d.id.endsWith('-web') || d.id.endsWith('-api'));
    expect(inSecond).toHaveLength(3);
    expectValid(report);
  });

  it('treats the link as queued when a loaded sample goes unanswered: the confirmation pass drains first and goes a few at a time', async () => {
    const { h, deadlines } = flaky({ 'alpha-web': 1, 'beta-web': 1, 'alpha-api': 1 }, {
      probeRtt: async (target, samples, deadlineMs) => {
        // Idle 150 ms; every sample under load lost (a full queue drops it): no figure, only its absence.
        await sleep(Math.min(150 * samples, deadlineMs));
        return samples === 1 ? { targetId: target.id, samples: [] } : { targetId: target.id, samples: [150, 150, 150, 150, 150], medianMs: 150, jitterMs: 0 };
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(report.observations.loadedRtt).toBeUndefined();
    expect(report.phases?.some((p) => p.phase === 'drain')).toBe(true);
    const second = deadlines.filter((d, i) => deadlines.findIndex((e) => e.id === d.id) !== i);
    expect(second.find((d) => d.id === 'alpha-web')?.deadlineMs).toBe(confirmDeadlines(150, undefined, undefined, true).httpMs);
    expect(confirmDeadlines(150, undefined, undefined, true)).toMatchObject({ concurrency: 3 });
    expect(confirmDeadlines(150, undefined).concurrency).toBe(Number.POSITIVE_INFINITY);
    // Nor are answering paths measured: their bursts would read our own queue.
    expect(report.observations.paths?.rtt ?? []).toEqual([]);
  });

  it('on a queued link starts the confirmation pass once an RTT sample shows the queue drained, and waits no longer than its limit', async () => {
    const drainedAt = 4500;
    const run = async (drainsAt: number) => {
      const { h, deadlines } = flaky({ 'alpha-web': 1 }, {
        probeRtt: async (target, samples, deadlineMs) => {
          await sleep(Math.min(samples === 1 ? 150 : 150 * samples, deadlineMs));
          // Idle 150 ms; the queue the parallel pass left behind adds 550 ms until `drainsAt`.
          const ms = samples === 1 && Date.now() - T0 < drainsAt ? 700 : 150;
          return { targetId: target.id, samples: Array.from({ length: samples }, () => ms), medianMs: ms, jitterMs: 0 };
        },
      });
      const { report } = await runToEnd(h.deps);
      const retried = deadlines.filter((d) => d.id === 'alpha-web')[1];
      return { report, retriedAt: retried?.at ?? -1, drain: report.phases?.find((p) => p.phase === 'drain'), apps: report.phases?.find((p) => p.phase === 'apps') };
    };
    const drained = await run(drainedAt);
    expect(drained.report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({ outcome: 'reachable', attempts: 2 });
    expect(drained.drain?.endMs).toBeDefined();
    // Not before the first sample near the idle RTT, and soon after it (one sample and one gap).
    expect(drained.retriedAt).toBeGreaterThanOrEqual(drainedAt);
    expect(drained.retriedAt).toBeLessThan(drainedAt + 150 + QUEUED_DRAIN.gapMs + 100);
    const never = await run(Number.POSITIVE_INFINITY);
    expect(never.report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({ outcome: 'reachable', attempts: 2 });
    const waited = (never.drain?.endMs ?? 0) - (never.drain?.startMs ?? 0);
    expect(waited).toBeGreaterThanOrEqual(QUEUED_DRAIN.maxMs - 50);
    expect(waited).toBeLessThanOrEqual(QUEUED_DRAIN.maxMs + 50);
    // A link the parallel pass did not queue has nothing to drain.
    const { h } = flaky({ 'alpha-web': 1 });
    const { report } = await runToEnd(h.deps);
    expect(report.phases?.some((p) => p.phase === 'drain')).toBe(false);
  });

  it('opens the parallel pass with part of the pool and narrows it to a few probes once a loaded sample shows a queue', async () => {
    const base = makeCatalog();
    const template = base.apps[1] as Catalog['apps'][number];
    const apps = Array.from({ length: 20 }, (_, i) => ({ ...template, id: `app${i}`, signalling: [{ id: `app${i}-web`, url: `https://app${i}.example/`, source }], media: [] }));
    let inFlight = 0;
    let sampledAt = Number.POSITIVE_INFINITY;
    const starts: { at: number; before: number }[] = [];
    const h = harness({
      probeHttp: async (target) => {
        if (target.id.startsWith('ctl-')) return { id: target.id, outcome: 'reachable', status: 204, ms: 20, timing: { connectMs: 12 } };
        starts.push({ at: Date.now() - T0, before: inFlight });
        inFlight++;
        await sleep(400);
        inFlight--;
        return { id: target.id, outcome: 'reachable', status: 200, ms: 400 };
      },
      probeRtt: async (target, samples, deadlineMs) => {
        await sleep(Math.min(samples === 1 ? 250 : 150 * samples, deadlineMs));
        if (samples === 1) sampledAt = Math.min(sampledAt, Date.now() - T0);
        return samples === 1
          ? { targetId: target.id, samples: [250], medianMs: 250, jitterMs: 0 }
          : { targetId: target.id, samples: [20, 20, 20], medianMs: 20, jitterMs: 0 };
      },
    });
    const { report } = await runToEnd(h.deps, makeCatalog({ apps }));
    expect(report.apps).toHaveLength(20);
    expect(Math.max(...starts.map((s) => s.before))).toBeLessThan(12);
    const later = starts.filter((s) => s.at > sampledAt);
    expect(later.length).toBeGreaterThan(0);
    for (const start of later) expect(start.before).toBeLessThan(3);
  });

  it('probes in the confirmation pass what the narrowed parallel pass never started, as a first attempt', async () => {
    const base = makeCatalog();
    const template = base.apps[1] as Catalog['apps'][number];
    const apps = Array.from({ length: 20 }, (_, i) => ({ ...template, id: `app${i}`, signalling: [{ id: `app${i}-web`, url: `https://app${i}.example/`, source }], media: [] }));
    const calls = new Map<string, number>();
    const startedAt = new Map<string, number>();
    const h = harness({
      probeHttp: async (target) => {
        if (target.id.startsWith('ctl-')) return { id: target.id, outcome: 'reachable', status: 204, ms: 20, timing: { connectMs: 12 } };
        calls.set(target.id, (calls.get(target.id) ?? 0) + 1);
        if (!startedAt.has(target.id)) startedAt.set(target.id, Date.now() - T0);
        // A slow link: each fetch takes most of a deadline, so a pool of three cannot get through them all.
        await sleep(1400);
        return { id: target.id, outcome: 'reachable', status: 200, ms: 1400 };
      },
      probeRtt: async (target, samples, deadlineMs) => {
        await sleep(Math.min(samples === 1 ? 400 : 150 * samples, deadlineMs));
        return samples === 1 ? { targetId: target.id, samples: [400], medianMs: 400, jitterMs: 0 } : { targetId: target.id, samples: [20, 20, 20], medianMs: 20, jitterMs: 0 };
      },
    });
    const { report } = await runToEnd(h.deps, makeCatalog({ apps }));
    // Every app has its row: none is left pending because the parallel pass ran out of time before starting it.
    expect(report.apps.map((a) => a.appId).sort()).toEqual(apps.map((a) => a.id).sort());
    const appsPass = report.phases?.find((p) => p.phase === 'apps');
    const firstProbedLate = [...startedAt].filter(([, at]) => at >= (appsPass?.endMs ?? Infinity)).map(([id]) => id);
    expect(firstProbedLate.length).toBeGreaterThan(0);
    for (const id of firstProbedLate) {
      expect(calls.get(id), id).toBe(1);
      // Probed once, in the confirmation pass: an answer, not a confirmation.
      expect(report.observations.http.find((r) => r.id === id)).toMatchObject({ outcome: 'reachable' });
      expect(report.observations.http.find((r) => r.id === id)?.attempts).toBeUndefined();
    }
    // Fetches the parallel pass's end cut short, before their own deadline, were not a silent pass: probed again
    // in the confirmation pass as a first attempt.
    const cut = [...calls].filter(([, n]) => n === 2).map(([id]) => id);
    expect(cut.length).toBeGreaterThan(0);
    for (const id of cut) {
      const result = report.observations.http.find((r) => r.id === id);
      expect(result?.outcome, id).toBe('reachable');
      expect(result?.attempts, id).toBeUndefined();
    }
  });

  it('leaves silence that the confirmation pass could not reach as one attempt when cancelled', async () => {
    const { h, calls } = flaky({ 'alpha-turn-udp': 9 });
    const runner = createCheckRunner(h.deps);
    const probeIce = h.deps.probeIce;
    h.deps.probeIce = (targets, deadlineMs) => {
      // Cancelled while the confirmation pass waits for the relay's second silence.
      if (targets.some((t) => t.id === 'alpha-turn-udp') && calls.get('alpha-turn-udp') === 1) setTimeout(() => runner.cancel(), 100);
      return probeIce(targets, deadlineMs);
    };
    const done = runner.start(makeCatalog()).done;
    await vi.advanceTimersByTimeAsync(20_000);
    const report = await done;
    expect(report.status).toBe('cancelled');
    expect(calls.get('alpha-turn-udp')).toBe(2);
    const relay = report.observations.ice.find((r) => r.id === 'alpha-turn-udp');
    expect(relay).toMatchObject({ outcome: 'filtered' });
    expect(relay?.attempts).toBeUndefined();
    expectValid(report);
  });

});

describe('CheckRunner: QUIC evidence from an HTTP/3 control', () => {
  const withHttp3 = (): Catalog => {
    const base = makeCatalog();
    const [first, ...rest] = base.controls.http;
    if (first === undefined) throw new Error('no control');
    return { ...base, controls: { ...base.controls, http: [{ ...first, http3: { source } }, ...rest] } };
  };
  /** probeHttp answering h2 for the first `h2Fetches` fetches of ctl-http-1, then h3. */
  const switchesToQuicAfter = (h2Fetches: number, h: { count: number }): Partial<CheckDeps> => ({
    probeHttp: async (target) => {
      await sleep(40);
      const fetches = target.id === 'ctl-http-1' ? (h.count += 1) : 0;
      const protocol = fetches > h2Fetches ? 'h3' : 'h2';
      return { id: target.id, outcome: 'reachable', status: 204, ms: 40, timing: { connectMs: 12, protocol } };
    },
  });

  it('fetches the control again until the browser goes over QUIC, and records it', async () => {
    const fetched = { count: 0 };
    const { report } = await runToEnd(harness(switchesToQuicAfter(2, fetched)).deps, withHttp3());
    expect(fetched.count).toBe(3);
    expect(report.observations.quic).toEqual([{ targetId: 'ctl-http-1', attempts: 2, protocol: 'h3', ms: expect.any(Number) }]);
    expect(report.observations.http.filter((r) => r.id === 'ctl-http-1')).toHaveLength(1);
    expectValid(report);
  });

  it('gives up after a few attempts when QUIC never wins (UDP 443 dropped)', async () => {
    const fetched = { count: 0 };
    const { report } = await runToEnd(harness(switchesToQuicAfter(Number.POSITIVE_INFINITY, fetched)).deps, withHttp3());
    expect(report.observations.quic).toEqual([{ targetId: 'ctl-http-1', attempts: CONTROLS.quicAttempts, protocol: 'h2', ms: expect.any(Number) }]);
  });

  it('needs no second fetch when the first already went over QUIC, and none for controls without HTTP/3', async () => {
    const fetched = { count: 0 };
    const { report } = await runToEnd(harness(switchesToQuicAfter(0, fetched)).deps, withHttp3());
    expect(fetched.count).toBe(1);
    expect(report.observations.quic).toBeUndefined();
    const plain = await runToEnd(harness().deps);
    expect(plain.report.observations.quic).toBeUndefined();
  });
});

describe('CheckRunner: single flight', () => {
  it('joins the running check instead of starting a second one', async () => {
    const h = harness();
    const runner = createCheckRunner(h.deps);
    const first = runner.start(makeCatalog());
    const second = runner.start(makeCatalog());
    expect(second.reportId).toBe(first.reportId);
    expect(second.done).toBe(first.done);
    expect(runner.isRunning()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    const report = await first.done;
    expect(runner.isRunning()).toBe(false);
    expect(runner.current()).toEqual(report);
    expect(h.events.filter((e) => e.what === 'nat')).toHaveLength(1);

    const third = runner.start(makeCatalog());
    expect(third.reportId).not.toBe(first.reportId);
    await vi.advanceTimersByTimeAsync(10_000);
    await third.done;
  });
});

describe('CheckRunner: cancellation', () => {
  it('stops the run, marks it cancelled, saves it and ignores late results', async () => {
    const h = harness();
    const runner = createCheckRunner(h.deps);
    expect(runner.cancel()).toBe(false);
    const { done } = runner.start(makeCatalog());
    await vi.advanceTimersByTimeAsync(30);
    expect(runner.cancel()).toBe(true);
    const report = await done;
    expect(report.status).toBe('cancelled');
    expect(report.finishedAt).toBeDefined();
    expect(runner.isRunning()).toBe(false);
    expect(h.saves.at(-1)).toEqual(report);
    const updatesAtCancel = h.updates.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.updates).toHaveLength(updatesAtCancel);
    expect(h.events.some((e) => e.what.startsWith('http:alpha'))).toBe(false);
    expectValid(report);
  });

  it('aborts the signal of running HTTP probes', async () => {
    let aborted = false;
    const h = harness({
      probeHttp: (_target, _deadline, signal) =>
        new Promise<HttpProbeResult>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    });
    const runner = createCheckRunner(h.deps);
    const { done } = runner.start(makeCatalog());
    await vi.advanceTimersByTimeAsync(10);
    runner.cancel();
    await done;
    expect(aborted).toBe(true);
  });
});

describe('CheckRunner: failures inside the run', () => {
  it('turns a throwing HTTP probe into a failed result and a throwing ICE prober into no result', async () => {
    const h = harness();
    const probeHttp = h.deps.probeHttp;
    h.deps.probeHttp = (target, deadlineMs, signal) => {
      if (target.id === 'alpha-web') throw new Error('webRequest listener missing');
      return probeHttp(target, deadlineMs, signal);
    };
    h.deps.probeIce = () => Promise.reject(new Error('offscreen document gone'));
    const { report } = await runToEnd(h.deps);
    expect(report.status).toBe('done');
    expect(report.observations.http.find((r) => r.id === 'alpha-web')).toMatchObject({
      outcome: 'failed',
      failure: 'unknown_failure',
      rawError: 'probe error: webRequest listener missing',
    });
    expect(report.observations.ice).toEqual([]);
    expect(h.warnings).toEqual(expect.arrayContaining(['HTTP probe failed', 'ICE probe failed']));
    expectValid(report);
  });

  it("ends as failed when the browser refuses more connections: no app is judged from what could not be measured", async () => {
    const limit = new PeerConnectionLimitError(new Error('Cannot create so many PeerConnections'));
    const h = harness({ probeIce: () => Promise.reject(limit) });
    const { report } = await runToEnd(h.deps);
    expect(report.status).toBe('failed');
    expect(report.error).toBe(limit.message);
    expect(report.overall).toBeUndefined();
    expect(h.warnings).not.toContain('ICE probe failed');
    expectValid(report);
  });

  it('knows the limit again after it crossed the offscreen boundary as words, and nothing else as it', () => {
    expect(fromErrorText(new PeerConnectionLimitError().message)).toBeInstanceOf(PeerConnectionLimitError);
    expect(fromErrorText('offscreen document gone')).not.toBeInstanceOf(PeerConnectionLimitError);
  });

  it('keeps going when the NAT probe throws', async () => {
    const h = harness({ probeNat: () => Promise.reject(new Error('no RTCPeerConnection')) });
    const { report } = await runToEnd(h.deps);
    expect(report.status).toBe('done');
    expect(report.observations.nat).toBeUndefined();
    expect(report.baselineRttMs).toBe(12);
  });

  it('ends as failed, with the error text, when our own code throws', async () => {
    let calls = 0;
    const h = harness({
      judge: (catalog, observations) => {
        calls++;
        if (calls > 3) throw new Error('verdict rule bug');
        return judge(catalog, observations);
      },
    });
    const { report } = await runToEnd(h.deps);
    expect(report.status).toBe('failed');
    expect(report.error).toBe('verdict rule bug');
    expect(h.saves.at(-1)).toEqual(report);
    expectValid(report);
  });
});

describe('CheckRunner: DNS cross-check', () => {
  function dnsHarness(allow: readonly string[] = []) {
    const checked: string[] = [];
    const h = harness({
      probeHttp: async (target) => {
        await sleep(20);
        if (target.id === 'alpha-web') return { id: target.id, outcome: 'failed', failure: 'dns_nxdomain_error', rawError: 'net::ERR_NAME_NOT_RESOLVED', ms: 20 };
        if (target.id === 'beta-web') return { id: target.id, outcome: 'reachable', status: 200, ip: '10.10.34.35', ms: 20 };
        if (target.id === 'alpha-api') return { id: target.id, outcome: 'reachable', status: 200, ip: '198.18.0.7', ms: 20 };
        return { id: target.id, outcome: 'reachable', status: 204, ip: '93.184.216.34', ms: 20 };
      },
      dnsCheck: async (target, result) => {
        checked.push(target.id);
        await sleep(50);
        if (target.id === 'beta-web') return never();
        return { targetId: target.id, host: new URL(target.url).hostname, system: result.failure ? 'nxdomain' : 'bogon', doh: 'answers', verdict: 'dns_tampering' };
      },
    });
    return { h, checked, options: { bogonAllow: allow } };
  }

  it('checks each host with a name error or a bogon address once, and records a DoH timeout as inconclusive', async () => {
    const { h, checked, options } = dnsHarness(['198.18.0.0/15']);
    const { report, endedAt } = await runToEnd(h.deps, makeCatalog(), options);
    expect(checked.sort()).toEqual(['alpha-web', 'beta-web']);
    expect(report.observations.dns).toEqual(
      expect.arrayContaining([
        { targetId: 'alpha-web', host: 'alpha.example', system: 'nxdomain', doh: 'answers', verdict: 'dns_tampering' },
        { targetId: 'beta-web', host: 'beta.example', system: 'bogon', doh: 'failed', verdict: 'inconclusive' },
      ]),
    );
    expect(report.observations.dns).toHaveLength(2);
    expect(endedAt).toBeLessThan(6000);
    expectValid(report);
  });

  it('treats the lab range as bogon unless allowed', async () => {
    const { h, checked } = dnsHarness();
    await runToEnd(h.deps);
    expect(checked).toContain('alpha-api');
  });

  it('does not wait for DoH, nor confirm silence, when the network is offline or behind a portal', async () => {
    // The gate comes from the network context (readNetwork), whatever the judge says.
    for (const failure of ['network_down', 'ssl_invalid_hostname'] as const) {
      const { h, checked } = dnsHarness();
      const probeHttp = h.deps.probeHttp;
      h.deps.probeHttp = async (target, deadlineMs, signal) =>
        target.id.startsWith('ctl-') ? { id: target.id, outcome: 'failed', failure, ms: 5 } : probeHttp(target, deadlineMs, signal);
      h.deps.probeIce = async (targets) => {
        h.events.push({ what: `ice:${targets.map((t) => t.id).join(',')}`, at: 0 });
        return [];
      };
      h.deps.probeNat = async () => ({ mapping: 'unknown', answered: [], srflxCount: 0, ipv6: false, ms: 1500 });
      const { report } = await runToEnd(h.deps);
      expect(checked).toEqual([]);
      // One pass only: the silent relays are recorded as seen once, which is no evidence.
      expect(h.events.filter((e) => e.what.startsWith('ice:'))).toHaveLength(2);
      expect(report.observations.ice.map((r) => [r.id, r.outcome, r.attempts])).toEqual(
        expect.arrayContaining([['alpha-turn-udp', 'filtered', undefined]]),
      );
    }
  });

  it('does not cross-check hosts given as IP addresses', async () => {
    const { h, checked } = dnsHarness();
    const base = makeCatalog();
    const catalog = makeCatalog({
      apps: [{ ...(base.apps[1] as Catalog['apps'][number]), signalling: [{ id: 'beta-web', url: 'https://10.10.34.35/', source }] }],
    });
    await runToEnd(h.deps, catalog);
    expect(checked).toEqual([]);
  });
});

describe('CheckRunner: the quick call window through our relay', () => {
  const relay: CallRelay = { username: '1760000000:abc', credential: 'secret', uris: ['turn:relay.example:3478?transport=udp'] };
  const clean = { sent: 100, received: 100, lossPct: 0, stalls: 0 };
  const measured: CallTest = { durationMs: QUICK_CALL_MS, tried: ['udp'], transport: 'udp', connectMs: 120, outgoing: clean, incoming: clean };

  /** App probes that take as long as real HTTPS fetches (≈ 5 RTT), so RTT samples are taken under their load. */
  const slowerApps = (overrides: Partial<CheckDeps> = {}): Harness => {
    const h = harness(overrides);
    const { probeHttp } = h.deps;
    h.deps.probeHttp = async (target, deadlineMs, signal) => {
      if (!target.id.startsWith('ctl-')) await sleep(600);
      return probeHttp(target, deadlineMs, signal);
    };
    return h;
  };

  /** RTT probes: idle samples of 150 ms; each single sample under load answers `samples` after `afterMs` (none: unanswered). */
  const loadedSamples = (afterMs: number, samples: number[]): CheckDeps['probeRtt'] => async (target, count, deadlineMs) => {
    if (count > 1) {
      await sleep(Math.min(150 * count, deadlineMs));
      return { targetId: target.id, samples: Array.from({ length: count }, () => 150), medianMs: 150, jitterMs: 0 };
    }
    await sleep(Math.min(afterMs, deadlineMs));
    const [ms] = samples;
    return ms === undefined ? { targetId: target.id, samples: [] } : { targetId: target.id, samples: [ms], medianMs: ms, jitterMs: 0 };
  };

  /** `endedAt` from T0, as the fakes' times; `tookMs` from the check's start. */
  async function runWith(deps: CheckDeps, extras: CheckExtras): Promise<{ report: Report; endedAt: number; tookMs: number }> {
    const runner = createCheckRunner(deps);
    const startedAt = Date.now() - T0;
    let endedAt = -1;
    const done = runner.start(makeCatalog(), extras).done.then((report) => {
      endedAt = Date.now() - T0;
      return report;
    });
    await vi.advanceTimersByTimeAsync(20_000);
    return { report: await done, endedAt, tookMs: endedAt - startedAt };
  }

  /**
   * A loopback that connects in 200 ms, then waits for the check's go-ahead: told yes, it sends for `durationMs` and
   * answers `result`; told no, it answers no path. Its calls, the decision and when each step happened are kept.
   */
  function fakeCall(result: CallTest | (() => Promise<CallTest>)) {
    const calls: { relay: CallRelay; durationMs: number; window: QuickCallWindow; at: number }[] = [];
    let decision: { go: boolean; at: number } | undefined;
    let sentFrom: number | undefined;
    let endedAt = -1;
    const probeCall = async (to: CallRelay, durationMs: number, window: QuickCallWindow, go: Promise<boolean>): Promise<CallTest> => {
      calls.push({ relay: to, durationMs, window, at: Date.now() - T0 });
      void go.then((yes) => {
        decision = { go: yes, at: Date.now() - T0 };
      });
      await sleep(200);
      if (!(await go)) return { durationMs, tried: ['udp'] };
      sentFrom = Date.now() - T0;
      if (typeof result === 'function') return result();
      await sleep(durationMs + window.drainMs);
      endedAt = Date.now() - T0;
      return result;
    };
    return { probeCall, calls, decision: () => decision, sentFrom: () => sentFrom, endedAt: () => endedAt };
  }

  it('connects once the idle RTT is measured, sends once two loaded samples in a row show no queue, and the report carries it; the final answer waits for it', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({ probeCall: call.probeCall, probeRtt: loadedSamples(300, [160]) });
    const { probeRtt } = h.deps;
    let idleMeasuredAt = -1;
    h.deps.probeRtt = async (target, count, deadlineMs) => {
      const rtt = await probeRtt(target, count, deadlineMs);
      if (count > 1 && idleMeasuredAt < 0) idleMeasuredAt = Date.now() - T0;
      return rtt;
    };
    const { report, endedAt } = await runWith(h.deps, { callRelay: relay });
    expect(call.calls).toEqual([{ relay, durationMs: QUICK_CALL_MS, window: quickCallWindow(150), at: expect.any(Number) as number }]);
    const apps = report.phases?.find((p) => p.phase === 'apps');
    // Connecting during the controls, right after the idle RTT, while whether the link is slow is not known yet.
    expect(call.calls[0]?.at).toBe(idleMeasuredAt);
    expect(call.calls[0]?.at).toBeLessThan(apps?.startMs ?? 0);
    // Told at the second loaded sample (each takes 300 ms here), sent right after the first.
    const decidedAt = call.decision()?.at ?? 0;
    expect(call.decision()?.go).toBe(true);
    expect(decidedAt).toBeGreaterThanOrEqual((apps?.startMs ?? 0) + 600);
    expect(decidedAt).toBeLessThanOrEqual((apps?.startMs ?? 0) + 700);
    // The voice stream starts then, the connection already made: here as the app pass ends (its second sample was
    // due just then), beside the passes that follow.
    expect(call.sentFrom()).toBe(decidedAt);
    expect(call.sentFrom()).toBeLessThanOrEqual(apps?.endMs ?? 0);
    expect(report.observations.callTest).toEqual(measured);
    expect(report.phases?.find((p) => p.phase === 'call')).toMatchObject({ startMs: call.calls[0]?.at, endMs: call.endedAt() });
    expect(endedAt).toBeGreaterThanOrEqual(call.endedAt());
    expectValid(report);
  });

  it('sends when the app pass ends where the pass was over before its first loaded sample came back', async () => {
    const call = fakeCall(measured);
    // The usual harness: app probes of 30-40 ms, RTT samples of 150 ms.
    const { report } = await runWith(harness({ probeCall: call.probeCall }).deps, { callRelay: relay });
    const apps = report.phases?.find((p) => p.phase === 'apps');
    expect(report.observations.loadedRtt).toBeUndefined();
    expect(call.calls).toHaveLength(1);
    expect(call.decision()).toEqual({ go: true, at: apps?.endMs });
    expect(call.sentFrom()).toBeGreaterThanOrEqual(apps?.endMs ?? Number.POSITIVE_INFINITY);
    expect(report.observations.callTest).toEqual(measured);
  });

  it('a cancel during the app pass closes the connecting window unsent, and the check does not wait for it', async () => {
    const call = fakeCall(measured);
    const h = harness({
      probeCall: call.probeCall,
      // Single samples slower than the app pass: the window would be told at the pass's end.
      probeRtt: loadedSamples(1000, [150]),
    });
    const { probeHttp } = h.deps;
    h.deps.probeHttp = async (target, deadlineMs, signal) => {
      if (!target.id.startsWith('ctl-')) runner.cancel();
      return probeHttp(target, deadlineMs, signal);
    };
    const runner = createCheckRunner(h.deps);
    let endedAt = -1;
    const done = runner.start(makeCatalog(), { callRelay: relay }).done.then((report) => {
      endedAt = Date.now() - T0;
      return report;
    });
    await vi.advanceTimersByTimeAsync(20_000);
    const report = await done;
    expect(report.status).toBe('cancelled');
    expect(call.calls).toHaveLength(1);
    expect(call.decision()?.go).toBe(false);
    expect(call.sentFrom()).toBeUndefined();
    expect(report.observations.callTest).toBeUndefined();
    // Told at the cancel, not after the loopback's 200 ms connection.
    expect(call.decision()?.at).toBeLessThan((call.calls[0]?.at ?? 0) + 200);
    expect(endedAt).toBeLessThan((call.calls[0]?.at ?? 0) + 200);
  });

  it('a check that fails closes the connecting window unsent', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({ probeCall: call.probeCall, probeRtt: loadedSamples(1000, [150]) });
    h.deps.probeIce = async () => {
      throw new PeerConnectionLimitError();
    };
    const { report } = await runWith(h.deps, { callRelay: relay });
    expect(report.status).toBe('failed');
    expect(call.calls).toHaveLength(1);
    expect(call.decision()?.go).toBe(false);
    expect(call.sentFrom()).toBeUndefined();
  });

  it('does not send when the first loaded sample fits and the second shows a queue (the pass had not queued the link yet)', async () => {
    const call = fakeCall(measured);
    let loaded = 0;
    const h = slowerApps({
      probeCall: call.probeCall,
      probeRtt: async (target, count, deadlineMs) => {
        if (count > 1) return loadedSamples(300, [])(target, count, deadlineMs);
        loaded += 1;
        return loadedSamples(300, [loaded === 1 ? 160 : 700])(target, count, deadlineMs);
      },
    });
    // A pass long enough for both samples to come back during it, as on a slow link.
    const { probeHttp } = h.deps;
    h.deps.probeHttp = async (target, deadlineMs, signal) => {
      if (!target.id.startsWith('ctl-')) await sleep(900);
      return probeHttp(target, deadlineMs, signal);
    };
    const { report } = await runWith(h.deps, { callRelay: relay });
    expect(call.decision()?.go).toBe(false);
    expect(call.sentFrom()).toBeUndefined();
    expect(report.observations.callTest).toBeUndefined();
  });

  it('does not send at the end of a long app pass whose loaded samples all went unanswered (a queue or loss under load)', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({
      probeCall: call.probeCall,
      probeRtt: loadedSamples(300, []),
    });
    const { report } = await runWith(h.deps, { callRelay: relay });
    expect(report.observations.loadedRtt).toBeUndefined();
    expect(call.decision()?.go).toBe(false);
    expect(call.sentFrom()).toBeUndefined();
    expect(report.observations.callTest).toBeUndefined();
  });

  it("a window that met the browser's connection limit is only left unmeasured: the check still ends done", async () => {
    const call = fakeCall(() => Promise.reject(new PeerConnectionLimitError()));
    const h = slowerApps({ probeCall: call.probeCall });
    const { report } = await runWith(h.deps, { callRelay: relay });
    expect(call.calls).toHaveLength(1);
    expect(report.status).toBe('done');
    expect(report.observations.callTest).toBeUndefined();
    expect(h.warnings).toContain('quick call window failed');
  });

  it('sends nothing to the relay without its credentials (the person did not allow it), and the field is absent', async () => {
    const call = fakeCall(measured);
    const { report } = await runWith(slowerApps({ probeCall: call.probeCall }).deps, {});
    expect(call.calls).toEqual([]);
    expect(report.observations.callTest).toBeUndefined();
    expect(report.phases?.some((p) => p.phase === 'call')).toBe(false);
  });

  it('does not send on a link the app probes queue, and the check does not wait for the closed window', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({
      probeCall: call.probeCall,
      probeRtt: loadedSamples(300, [700]),
    });
    const { report, tookMs } = await runWith(h.deps, { callRelay: relay });
    expect(report.observations.loadedRtt?.medianMs).toBe(700);
    expect(call.decision()?.go).toBe(false);
    expect(call.sentFrom()).toBeUndefined();
    expect(report.observations.callTest).toBeUndefined();
    // The same check without the relay takes as long: a refused window costs no time.
    const without = await runWith(slowerApps({ probeRtt: loadedSamples(300, [700]) }).deps, {});
    expect(tookMs).toBe(without.tookMs);
  });

  it('a refused window the ICE host never answers for does not hold the check', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({
      probeCall: async (to, durationMs, window, go) => {
        void call.probeCall(to, durationMs, window, go);
        return never<CallTest>();
      },
      probeRtt: loadedSamples(300, [700]),
    });
    const { report, tookMs } = await runWith(h.deps, { callRelay: relay });
    expect(report.status).toBe('done');
    expect(call.decision()?.go).toBe(false);
    const without = await runWith(slowerApps({ probeRtt: loadedSamples(300, [700]) }).deps, {});
    expect(tookMs).toBe(without.tookMs);
  });

  it('does not connect where no control STUN server answered (no loaded sample tells the link)', async () => {
    const call = fakeCall(measured);
    const h = slowerApps({ probeCall: call.probeCall, probeNat: async () => ({ mapping: 'unknown', answered: [], srflxCount: 0, ipv6: false, ms: 1500 }) });
    const { report } = await runWith(h.deps, { callRelay: relay });
    expect(call.calls).toEqual([]);
    expect(report.observations.callTest).toBeUndefined();
  });

  it('keeps nothing when the relay gave no path in the window: not measured, never a default', async () => {
    const call = fakeCall({ durationMs: QUICK_CALL_MS, tried: ['udp', 'tls', 'tcp'] });
    const { report } = await runWith(slowerApps({ probeCall: call.probeCall }).deps, { callRelay: relay });
    expect(call.calls).toHaveLength(1);
    expect(report.observations.callTest).toBeUndefined();
    expect(report.status).toBe('done');
  });

  it('waits for an ICE host that never answers only until every budget of the window is spent from its go-ahead, then ends without it', async () => {
    const call = fakeCall(() => never<CallTest>());
    const { report, endedAt } = await runWith(slowerApps({ probeCall: call.probeCall }).deps, { callRelay: relay });
    const told = call.decision()?.at ?? 0;
    expect(call.decision()?.go).toBe(true);
    expect(report.status).toBe('done');
    expect(report.observations.callTest).toBeUndefined();
    expect(endedAt).toBeGreaterThanOrEqual(told + quickCallLimitMs(quickCallWindow(150), GRACE_MS));
    expect(endedAt).toBeLessThanOrEqual(told + quickCallLimitMs(quickCallWindow(150), GRACE_MS) + 100);
  });

  it('a window that broke up changes no app’s verdict, reasons or confidence (the real judge)', async () => {
    const lost = { sent: 100, received: 10, lossPct: 90, stalls: 4 };
    const broken: CallTest = { ...measured, outgoing: lost, incoming: lost };
    expect(judgeCallTest(broken).kind).toBe('breaks-up');
    const without = await runWith(slowerApps({ judge: realJudge }).deps, {});
    const call = fakeCall(broken);
    const withCall = await runWith(slowerApps({ judge: realJudge, probeCall: call.probeCall }).deps, { callRelay: relay });
    expect(withCall.report.observations.callTest).toEqual(broken);
    expect(withCall.report.apps).toEqual(without.report.apps);
    expect(withCall.report.overall).toEqual(without.report.overall);
    expect(withCall.report.apps.some((a) => a.verdict === 'blocked')).toBe(false);
  });
});
