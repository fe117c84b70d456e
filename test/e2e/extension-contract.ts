// The extension's contract in a real browser, written once and run on each browser's harness (chromium.test.ts, firefox.test.ts): it loads, answers, probes ICE and HTTP, and runs a whole check; what a browser measures differently comes from its profile.
import { describe, expect, test } from 'vitest';
import { STORAGE_KEYS } from '../../src/core/messages';
import { parseReport, type HttpProbeResult, type IceProbeResult, type Report } from '../../src/core/report';
import type { ExtensionSession } from '../../tools/extension-session';
import { startFixtures } from '../../tools/local-network';
import { startStunResponder } from '../../tools/servers';
import { expectLossCounted, expectTurnLossCounted, expectTurnRtt } from './loss-probe';
import { SHARED_SCENARIO_VERDICTS, testCatalog } from './test-catalog';

/** An extension page as the contract uses it: run a function in it, close it. */
export interface ExtensionPage {
  evaluate<R>(fn: () => R): Promise<Awaited<R>>;
  close(): Promise<void>;
}

/** The extension loaded in a fresh profile of a real browser, as each launcher hands it over. */
export type ExtensionUnderTest = ExtensionSession<ExtensionPage>;

type Expected<T> = { [K in keyof T]?: unknown };

/** What one browser does differently, each difference measured in that browser and explained where it is set. */
export interface BrowserProfile {
  name: string;
  family: Report['browser']['family'];
  /** Where the extension's background runs: a service worker, a background page. */
  background: string;
  /** The loss burst over STUN: exchanges filling whole connections of the prober, and the first retransmission. */
  stunLoss: { exchanges: number; firstStepMs: number };
  /** The same over TURN, or null where the browser's TURN retransmissions cannot be told apart (no probe offered). */
  turnLoss: { exchanges: number; firstStepMs: number } | null;
  /** How many exchanges a whole check's loss burst has, or undefined where a check measures no loss. */
  checkLossExchanges: number | undefined;
  /** A TURNS server whose certificate comes from an unknown authority. */
  untrustedTurns: Expected<IceProbeResult>;
  /** A TURN/TCP port nobody listens on. */
  closedTcp: Expected<IceProbeResult>;
  /** Whether a probe's fetch gets its Resource Timing (protocol, TLS time) within the probe. */
  fetchTiming: boolean;
  /** Time past an ICE probe's deadline its answer may take (messaging, document start-up). */
  iceDeadlineSlackMs: number;
  /** HTTPS probes of each failure mode, the TLS ones by name (localhost). */
  http: {
    refused: Expected<HttpProbeResult>;
    reset: Expected<HttpProbeResult>;
    wrongHost: Expected<HttpProbeResult>;
    unknownCa: Expected<HttpProbeResult>;
    notTls: Expected<HttpProbeResult>;
    /** A server that never answers, probed with a 1 s deadline. */
    hang: Expected<HttpProbeResult>;
  };
}

export interface ExtensionHarness {
  profile: BrowserProfile;
  launch(options: { trustCaPath: string }): Promise<ExtensionUnderTest>;
}

/**
 * The fixtures a browser test is handed, one set per file: the local network (`fx`), two STUN responders on two
 * addresses that map alike (a cone NAT, `natPorts`), and the extension in a fresh profile (`ext`), each torn down
 * after the file's last test.
 */
export function extensionTest(harness: ExtensionHarness) {
  return test
    .extend('fx', { scope: 'file' }, async ({}, { onCleanup }) => {
      const fx = await startFixtures();
      onCleanup(() => fx.stop());
      return fx;
    })
    .extend('natPorts', { scope: 'file' }, async ({}, { onCleanup }) => {
      const stuns = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3')];
      onCleanup(() => Promise.all(stuns.map((s) => s.stop())).then(() => undefined));
      return { a: stuns[0]?.port ?? 0, b: stuns[1]?.port ?? 0 };
    })
    .extend('ext', { scope: 'file' }, async ({ fx }, { onCleanup }) => {
      const ext = await harness.launch({ trustCaPath: fx.pki.caPath });
      onCleanup(() => ext.close());
      return ext;
    });
}

export type ExtensionTest = ReturnType<typeof extensionTest>;

const ice = (id: string, url: string) => ({ id, url, source: 'https://example.org/test' });

/** The contract; a browser file may declare its own tests before it, and the contract's last test sees their errors too. */
export function describeExtensionContract(it: ExtensionTest, profile: BrowserProfile): void {
  describe(`the extension in ${profile.name}`, () => {
    it('starts with the extension loaded', ({ ext }) => {
      console.info(`${profile.name} launch with the extension: ${ext.startupMs} ms`);
      expect(ext.startupMs).toBeLessThan(30_000);
    });

    it('renders the popup', async ({ ext }) => {
      const popup = await ext.openPage('src/popup/index.html');
      await expect.poll(() => popup.evaluate(() => document.body.innerText)).toContain('Can I Call?');
      await popup.close();
    });

    it(`answers a typed message from the ${profile.background}`, async ({ ext }) => {
      expect(await ext.ask({ type: 'ping' })).toEqual({ pong: true, version: '0.1.0' });
    });

    it('gets 401 from coturn with dummy credentials over UDP, TCP and TLS (test CA trusted in the profile)', async ({ ext, fx }) => {
      const { results } = await ext.ask({
        type: 'probeIce',
        deadlineMs: 5000,
        targets: [
          ice('turn.udp', `turn:127.0.0.1:${fx.coturn.port}?transport=udp`),
          ice('turn.tcp', `turn:127.0.0.1:${fx.coturn.port}?transport=tcp`),
          // A name, not an address: Firefox does not try TURNS to an IP address at all.
          ice('turn.tls', `turns:localhost:${fx.coturn.tlsPort}?transport=tcp`),
        ],
      });
      const byId = Object.fromEntries(results.map((r) => [r.id, r]));
      expect(byId['turn.udp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'udp' });
      expect(byId['turn.tcp']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tcp' });
      // Firefox first fails over ::1 (coturn listens on 127.0.0.1 only) with a 701: that must not settle the probe.
      expect(byId['turn.tls']).toMatchObject({ outcome: 'reachable', evidence: 'server-error', errorCode: 401, transport: 'tls' });
    });

    it('reports a TURNS server with an untrusted certificate as a TLS failure', async ({ ext, fx }) => {
      const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 3000, targets: [ice('tls.bad', `turns:localhost:${fx.https.unknownCa.port}?transport=tcp`)] });
      expect(results[0]).toMatchObject({ outcome: 'unreachable', failure: 'ssl_failed_handshake', ...profile.untrustedTurns });
    });

    it('sees a STUN answer as an srflx candidate', async ({ ext, fx }) => {
      const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 3000, targets: [ice('stun.ok', `stun:127.0.0.1:${fx.stun.port}`)] });
      expect(results[0]).toMatchObject({ outcome: 'reachable', evidence: 'srflx' });
      expect(fx.stun.received()).toBeGreaterThan(0);
    });

    it('reports a closed TCP port as unreachable and a silent UDP port as filtered, within the deadline', async ({ ext, fx }) => {
      const deadlineMs = 1500;
      const started = Date.now();
      const { results } = await ext.ask({
        type: 'probeIce',
        deadlineMs,
        targets: [ice('closed.tcp', `turn:127.0.0.1:${fx.closedPort}?transport=tcp`), ice('silent.udp', `stun:127.0.0.1:${fx.silentUdp.port}`)],
      });
      const elapsed = Date.now() - started;
      const byId = Object.fromEntries(results.map((r) => [r.id, r]));
      expect(byId['closed.tcp']).toMatchObject({ outcome: 'unreachable', ...profile.closedTcp });
      expect(byId['silent.udp']).toMatchObject({ outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error' });
      expect(fx.silentUdp.received()).toBeGreaterThan(0);
      // Our own deadline, not the browser's give-up (Chrome's 40 s, Firefox's ~11 s), ends the probe.
      expect(elapsed).toBeLessThan(deadlineMs + profile.iceDeadlineSlackMs);
    });

    it('infers the NAT mapping from one connection to two STUN servers on different addresses', async ({ ext }) => {
      // Two responders on two loopback addresses play a NAT: the same mapping for both is a cone NAT,
      // a different port per destination is a symmetric one.
      const same = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.3')];
      const split = [await startStunResponder({ ip: '203.0.113.7', port: 40000 }, '127.0.0.2'), await startStunResponder({ ip: '203.0.113.7', port: 40001 }, '127.0.0.3')];
      const natOf = async (ports: number[]) =>
        ext.ask({ type: 'probeNat', deadlineMs: 2000, servers: ports.map((port, i) => ice(`s${i}`, `stun:127.0.0.${i + 2}:${port}`)) });
      try {
        const cone = await natOf(same.map((s) => s.port));
        expect(cone.result).toMatchObject({ mapping: 'endpoint-independent', srflxCount: 1 });
        expect(cone.result.answered.sort()).toEqual(['s0', 's1']);
        const symmetric = await natOf(split.map((s) => s.port));
        expect(symmetric.result).toMatchObject({ mapping: 'address-dependent', srflxCount: 2 });
      } finally {
        await Promise.all([...same, ...split].map((s) => s.stop()));
      }
    });

    it('takes sequential RTT samples from a STUN server', async ({ ext, fx }) => {
      const { result } = await ext.ask({ type: 'probeRtt', deadlineMs: 2000, samples: 5, target: ice('rtt', `stun:127.0.0.1:${fx.stun.port}`) });
      expect(result.samples).toHaveLength(5);
      expect(result.medianMs).toBeLessThan(500);
      expect(result.jitterMs).toBeGreaterThanOrEqual(0);
    });

    it('takes RTT samples from a TURN server over UDP: one round trip per 401, not two', async ({ ext, fx }) => {
      await expectTurnRtt((request) => ext.ask(request), { coturnPort: fx.coturn.port });
    });

    it(`counts lost STUN datagrams from how late the answers come (first retransmission after ${profile.stunLoss.firstStepMs} ms)`, async ({ ext }) => {
      await expectLossCounted((request) => ext.ask(request), profile.stunLoss);
    });

    const turnLoss = profile.turnLoss;
    if (turnLoss) {
      it('counts lost TURN Allocates from how late the 401s come, placing each in its section by its local port', async ({ ext, fx }) => {
        await expectTurnLossCounted((request) => ext.ask(request), { ...turnLoss, coturnPort: fx.coturn.port });
      });
    }

    it('classifies a refused fetch', async ({ ext, fx }) => {
      const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.closedPort}/`, deadlineMs: 3000 });
      expect(result).toMatchObject({ outcome: 'failed', failure: 'connection_refused', ...profile.http.refused });
    });

    it('classifies a reset, TLS failures and our own deadline from what the browser reports', async ({ ext, fx }) => {
      const probe = async (url: string, deadlineMs = 3000) => (await ext.ask({ type: 'probeHttp', url, deadlineMs })).result;
      expect(await probe(`https://127.0.0.1:${fx.https.reset.port}/`)).toMatchObject({ outcome: 'failed', failure: 'connection_reset', ...profile.http.reset });
      for (const [name, port] of [['wrongHost', fx.https.wrongHost.port], ['unknownCa', fx.https.unknownCa.port], ['notTls', fx.https.notTls.port]] as const) {
        expect(await probe(`https://localhost:${port}/`), name).toMatchObject({ outcome: 'failed', ...profile.http[name] });
      }
      const started = Date.now();
      expect(await probe(`https://127.0.0.1:${fx.https.hang.port}/`, 1000)).toMatchObject({ outcome: 'failed', failure: 'generic_timeout_error', ...profile.http.hang });
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('returns the server ip and status for a successful fetch', async ({ ext, fx }) => {
      const { result } = await ext.ask({ type: 'probeHttp', url: `https://127.0.0.1:${fx.https.ok.port}/generate_204`, deadlineMs: 3000 });
      expect(result).toMatchObject({ outcome: 'reachable', status: 204, ip: '127.0.0.1' });
    });

    if (profile.fetchTiming) {
      it('times the connection of a successful fetch', async ({ ext, fx }) => {
        // Resource Timing phases of a first request to this origin (localhost: 127.0.0.1 was asked above): a TLS handshake and a protocol.
        const { result } = await ext.ask({ type: 'probeHttp', url: `https://localhost:${fx.https.ok.port}/generate_204`, deadlineMs: 3000 });
        expect(result.timing?.protocol).toMatch(/^(http\/1\.1|h2)$/);
        expect(result.timing?.tlsMs).toBeGreaterThan(0);
      });
    }
  });

  describe(`a check in ${profile.name}`, () => {
    let report: Report;
    let elapsedMs: number;

    it('runs to a valid report through the automation message', async ({ ext, fx, natPorts }) => {
      const started = Date.now();
      report = await ext.ask({ type: 'runCheck', catalog: testCatalog(fx, natPorts) });
      elapsedMs = Date.now() - started;
      console.info(`whole check in ${profile.name}: ${elapsedMs} ms`);
      const parsed = parseReport(report);
      expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
      expect(report.status).toBe('done');
      expect(report.browser).toMatchObject({ family: profile.family });
      expect(report.apps.map((a) => a.appId).sort()).toEqual(['blocked-app', 'open-app', 'reset-app']);
      expect(report.observations.nat?.mapping).toBe('endpoint-independent');
      expect(report.observations.rtt?.samples.length).toBeGreaterThan(0);
      expect(report.observations.loss?.exchanges).toBe(profile.checkLossExchanges);
    });

    it('judges each app from what it measured, the same in every browser', () => {
      const verdicts = Object.fromEntries(report.apps.map((a) => [a.appId, { verdict: a.verdict, messaging: a.messaging, calls: a.calls }]));
      // On a mismatch, say why: the reasons per app and what each probe measured.
      const why = JSON.stringify({ apps: report.apps.map((a) => [a.appId, a.reasons]), quality: report.quality, rtt: report.observations.rtt, loss: report.observations.loss, ice: report.observations.ice, http: report.observations.http });
      expect(verdicts, why).toEqual(SHARED_SCENARIO_VERDICTS);
      expect(report.apps.find((a) => a.appId === 'reset-app')?.reasons).toContain('CONNECTION_RESET');
      expect(report.observations.http.find((r) => r.id === 'blocked-app.web')).toMatchObject({ outcome: 'failed', failure: 'connection_refused' });
    });

    it('ends within the silent-network budget even with a silent target', () => {
      // One silent STUN target: its own deadline bounds the run, far below the browser's give-up.
      expect(elapsedMs).toBeLessThan(8000);
    });

    it('keeps the report in storage, in the history and on the badge', async ({ ext }) => {
      expect((await ext.ask({ type: 'getState' })).report?.id).toBe(report.id);
      expect((await ext.ask({ type: 'getHistory' })).reports[0]?.id).toBe(report.id);
      expect(['✓', '!', '✕', '?']).toContain(await ext.badgeText());
    });

    it('names the network of the finished check on the device, and refuses a bad name without changing it', async ({ ext }) => {
      const { report: renamed } = await ext.ask({ type: 'setNetworkLabel', reportId: report.id, label: '  Home Wi-Fi ' });
      expect(renamed).toMatchObject({ id: report.id, networkLabel: 'Home Wi-Fi' });
      await expect(ext.ask({ type: 'setNetworkLabel', reportId: report.id, label: 'Home\u0007' })).rejects.toThrow('control character');
      expect((await ext.ask({ type: 'getState' })).report?.networkLabel).toBe('Home Wi-Fi');
      expect((await ext.ask({ type: 'getHistory' })).reports.find((r) => r.id === report.id)?.networkLabel).toBe('Home Wi-Fi');
    });

    it('shows a finished check in the popup, with the parts its code loads after the answer (call test, export)', async ({ ext, fx, natPorts }) => {
      const catalog = testCatalog(fx, natPorts);
      await ext.storage.set({ [STORAGE_KEYS.catalogOverride]: catalog });
      const popup = await ext.openPage('src/popup/index.html');
      try {
        // The popup starts its own check on opening; once that is done, the part loaded with import() shows.
        const loaded = () => popup.evaluate(() => document.querySelector('.call-test') !== null && document.querySelector('.actions button') !== null);
        await expect.poll(loaded, { timeout: 20_000 }).toBe(true);
        expect(await popup.evaluate(() => document.querySelectorAll('.app-row__toggle').length)).toBe(catalog.apps.length);
      } finally {
        await popup.close();
        await ext.storage.remove(STORAGE_KEYS.catalogOverride);
      }
    });

    it(`logged no errors in the ${profile.background} or extension pages`, ({ ext }) => {
      expect(ext.consoleErrors).toEqual([]);
    });
  });
}
