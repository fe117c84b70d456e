// A whole check in real Chromium against local fixtures: started as the popup starts it, read back as automation reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport, type Report } from '../../src/core/report';
import { startStunResponder, type Stoppable } from '../support/servers';
import { startFixtures, type Fixtures } from './fixtures';
import { launchExtension, type ExtensionSession } from './harness';
import { SHARED_SCENARIO_VERDICTS, testCatalog } from './test-catalog';

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[];

beforeAll(async () => {
  fx = await startFixtures();
  stuns = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3')];
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all((stuns ?? []).map((s) => s.stop()));
  await fx?.stop();
});

describe('a check in Chromium', () => {
  let report: Report;
  let elapsedMs: number;

  it('runs to a valid report through the automation message', async () => {
    const catalog = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
    const started = Date.now();
    report = await ext.ask({ type: 'runCheck', catalog });
    elapsedMs = Date.now() - started;
    const parsed = parseReport(report);
    expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
    expect(report.status).toBe('done');
    expect(report.apps.map((a) => a.appId).sort()).toEqual(['blocked-app', 'open-app', 'reset-app']);
    expect(report.observations.nat?.mapping).toBe('endpoint-independent');
  });

  it('judges each app from what it measured', () => {
    const verdicts = Object.fromEntries(report.apps.map((a) => [a.appId, { verdict: a.verdict, messaging: a.messaging, calls: a.calls }]));
    // On a mismatch, say why: the reasons per app and what each probe measured.
    const why = JSON.stringify({ apps: report.apps.map((a) => [a.appId, a.reasons]), ice: report.observations.ice, http: report.observations.http });
    expect(verdicts, why).toEqual(SHARED_SCENARIO_VERDICTS);
    const verdictOf = (id: string) => report.apps.find((a) => a.appId === id);
    expect(verdictOf('reset-app')?.reasons).toContain('CONNECTION_RESET');
    const web = report.observations.http.find((r) => r.id === 'blocked-app.web');
    expect(web).toMatchObject({ outcome: 'failed', failure: 'connection_refused' });
  });

  it('ends within the silent-network budget even with a silent target', () => {
    // One silent STUN target: its own deadline bounds the run, far below the browser's 40 s give-up.
    expect(elapsedMs).toBeLessThan(8000);
  });

  it('keeps the report in storage and on the badge', async () => {
    const state = await ext.ask({ type: 'getState' });
    expect(state.report?.id).toBe(report.id);
    const { reports } = await ext.ask({ type: 'getHistory' });
    expect(reports[0]?.id).toBe(report.id);
    const badge = await ext.worker.evaluate(() => chrome.action.getBadgeText({}));
    expect(['✓', '!', '✕', '?']).toContain(badge);
  });

  it('joins a running check instead of starting a second one', async () => {
    const catalog = testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 });
    const [first, second] = await Promise.all([ext.ask({ type: 'startCheck', catalog }), ext.ask({ type: 'startCheck', catalog })]);
    expect(second.reportId).toBe(first.reportId);
    const done = await ext.ask({ type: 'runCheck' });
    expect(done.id).toBe(first.reportId);
  });

  it("probes the user's own relay as one more app, judged on calls alone", async () => {
    const settingsKey = 'settings';
    await ext.worker.evaluate(
      ([key, url]) => chrome.storage.local.set({ [key as string]: { customServers: [{ url, label: 'Office relay' }] } }),
      [settingsKey, `turn:127.0.0.1:${fx.coturn.port}?transport=tcp`],
    );
    try {
      const report = await ext.ask({ type: 'runCheck', catalog: testCatalog(fx, { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 }) });
      expect(report.apps.find((a) => a.appId === 'custom-1')).toMatchObject({ verdict: 'works', messaging: 'unknown', calls: 'reachable' });
      expect(report.observations.ice.find((r) => r.id === 'custom-1.server')).toMatchObject({ outcome: 'reachable', errorCode: 401, transport: 'tcp' });
    } finally {
      await ext.worker.evaluate((key) => chrome.storage.local.remove(key), settingsKey);
    }
  });

  it('logged no errors', () => {
    expect(ext.consoleErrors).toEqual([]);
  });
});
