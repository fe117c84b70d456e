// The sustained call test in real Chromium and Firefox: a relay-only loopback through a real coturn with use-auth-secret,
// clean, with UDP silent (TLS carries it), and with a middlebox that cuts each UDP flow after 5 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRelay } from '../../src/core/call-relay';
import { CALL_TEST_DURATION_MS, judgeCallTest, type CallTestProgress } from '../../src/core/call-test';
import type { CallTest } from '../../src/core/call-test-result';
import { CALL_TEST_PORT, STORAGE_KEYS, type CallTestPortMessage } from '../../src/core/messages';
import { makeTestPki, type TestPki } from '../../tools/pki';
import { startSilentUdp, type Stoppable } from '../../tools/servers';
import { startTestRelay, type TestRelay } from '../../tools/test-relay';
import { mintRelay, startCuttingProxy, type CuttingProxy } from './call-relay';
import { launchFirefoxExtension, type FirefoxSession } from './firefox-harness';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';

const CUT_AFTER_MS = 5_000;

let dir: string;
let pki: TestPki;
let coturn: TestRelay;
let proxy: CuttingProxy;
let silent: Stoppable;
let clean: CallRelay;
let cutting: CallRelay;
let udpSilent: CallRelay;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cic-calltest-'));
  pki = makeTestPki(dir, ['localhost'], ['127.0.0.1']);
  coturn = await startTestRelay({ tls: pki.server });
  proxy = await startCuttingProxy(coturn.port, CUT_AFTER_MS);
  silent = await startSilentUdp();
  const tcp = [`turns:localhost:${coturn.tlsPort}?transport=tcp`, `turn:127.0.0.1:${coturn.port}?transport=tcp`];
  clean = mintRelay(coturn.relay.secret, [`turn:127.0.0.1:${coturn.port}?transport=udp`, ...tcp]);
  cutting = mintRelay(coturn.relay.secret, [`turn:127.0.0.1:${proxy.port}?transport=udp`, ...tcp]);
  udpSilent = mintRelay(coturn.relay.secret, [`turn:127.0.0.1:${silent.port}?transport=udp`, ...tcp]);
});

afterAll(async () => {
  await Promise.all([coturn, proxy, silent].filter(Boolean).map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Ask = (request: { type: 'runCallTest'; duration: 'quick' | 'full'; relay: CallRelay }) => Promise<CallTest>;

/** The figures of a run, printed for the record (speed and loss on a loaded machine vary; the assertions leave room). */
function print(label: string, result: CallTest): void {
  const { transport, connectMs, control, outgoing, incoming } = result;
  console.info(`[call test] ${label}: ${JSON.stringify({ transport, connectMs, control, outgoing, incoming, outcome: judgeCallTest(result) })}`);
}

/**
 * What every browser must show. `forget` removes the record of past full tests (call-test-spacing.ts): the relays here
 * share the coturn's TCP and TLS ports, so without it the second full test would be refused as too soon.
 */
function callTestSuite(browserName: string, ask: () => Ask, consoleErrors: () => string[], forget: () => Promise<void>): void {
  it('a clean path over UDP: nothing lost either way, no flow died, and it reads as staying up', async () => {
    const result = await ask()({ type: 'runCallTest', duration: 'full', relay: clean });
    print(`${browserName} clean`, result);
    expect(result).toMatchObject({ durationMs: 15_000, tried: ['udp'], transport: 'udp' });
    for (const direction of [result.outgoing, result.incoming]) {
      expect(direction?.sent).toBeGreaterThanOrEqual(745);
      expect(direction?.lossPct).toBeLessThanOrEqual(1);
      expect(direction?.diedAtMs).toBeUndefined();
    }
    expect(result.control).toBeUndefined();
    expect(judgeCallTest(result)).toMatchObject({ kind: 'stays-up', transport: 'udp' });
    expect(consoleErrors()).toEqual([]);
  });

  it('a second full test through a server tested less than 2 minutes ago is refused, with the wait named', async () => {
    // The cutting relay shares the clean one's TCP and TLS servers.
    await expect(ask()({ type: 'runCallTest', duration: 'full', relay: cutting })).rejects.toThrow(/kept that far apart.*try again in (1[0-2]\d|\d{1,2}) s/);
    // A quick one is not spaced: a check's window is short.
    expect((await ask()({ type: 'runCallTest', duration: 'quick', relay: clean })).transport).toBe('udp');
  });

  it('each UDP flow cut 5 s after its first packet: the call drops after ≈ 5 s while the relay still answers', async () => {
    await forget();
    const result = await ask()({ type: 'runCallTest', duration: 'full', relay: cutting });
    print(`${browserName} cut after 5 s`, result);
    expect(result.transport).toBe('udp');
    expect(result.control).toBe('alive');
    const outcome = judgeCallTest(result);
    expect(outcome.kind).toBe('drops');
    // The flow starts with the allocation, a little before the first packet: the cut shows somewhat before 5 s.
    if (outcome.kind === 'drops') {
      expect(outcome.afterS).toBeGreaterThanOrEqual(3);
      expect(outcome.afterS).toBeLessThanOrEqual(5.5);
    }
  });

  it('UDP to the relay silent: TLS carries the test and it stays up', async () => {
    const result = await ask()({ type: 'runCallTest', duration: 'quick', relay: udpSilent });
    print(`${browserName} UDP silent`, result);
    expect(result).toMatchObject({ tried: ['udp', 'tls'], transport: 'tls' });
    expect(result.outgoing?.lossPct).toBeLessThanOrEqual(1);
    expect(result.incoming?.lossPct).toBeLessThanOrEqual(1);
  });

  it('the relay stopped mid-test: the connection to the relay was lost, not a cut', async () => {
    const doomed = await startTestRelay({ tls: pki.server });
    try {
      const relay = mintRelay(doomed.relay.secret, [`turn:127.0.0.1:${doomed.port}?transport=udp`]);
      const running = ask()({ type: 'runCallTest', duration: 'full', relay });
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await doomed.stop();
      const result = await running;
      print(`${browserName} relay stopped after 5 s`, result);
      expect(result.control).toBe('dead');
      expect(judgeCallTest(result)).toMatchObject({ kind: 'lost' });
    } finally {
      await doomed.stop();
    }
  });

  it('refuses credentials that do not validate, with a clear error', async () => {
    await expect(ask()({ type: 'runCallTest', duration: 'quick', relay: { username: '', uris: [] } as unknown as CallRelay })).rejects.toThrow(
      /invalid relay credentials/,
    );
  });
}

describe('the call test in Chromium', () => {
  let ext: ExtensionSession;
  beforeAll(async () => {
    ext = await launchExtension({ trustCaPath: pki.caPath });
  });
  afterAll(async () => {
    await ext?.close();
  });

  callTestSuite(
    'Chromium',
    () => (request) => ext.ask(request),
    () => ext.consoleErrors,
    () => ext.storage.remove(STORAGE_KEYS.callTestSpacing),
  );

  it('the popup’s port streams progress with a live loss figure, then the result; every peer connection is closed', async () => {
    const page = await ext.openPage('src/options/index.html');
    const messages = await page.evaluate(
      ({ name, relay }) =>
        new Promise<CallTestPortMessage[]>((resolve) => {
          const seen: CallTestPortMessage[] = [];
          const port = chrome.runtime.connect({ name });
          port.onMessage.addListener((message: CallTestPortMessage) => {
            seen.push(message);
            if (message.type !== 'progress') resolve(seen);
          });
          port.postMessage({ type: 'start', duration: 'quick', relay });
        }),
      { name: CALL_TEST_PORT, relay: clean },
    );
    const progress = messages.filter((m): m is { type: 'progress'; progress: CallTestProgress } => m.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)?.progress).toMatchObject({ durationMs: CALL_TEST_DURATION_MS.quick, transport: 'udp', lossPct: expect.any(Number) as number });
    expect(messages.at(-1)).toMatchObject({ type: 'done', result: { transport: 'udp' } });
    await page.close();
    expect(await ext.ask({ type: 'iceStats' })).toMatchObject({ open: 0 });
  });
});

describe('the call test in Firefox', () => {
  let ext: FirefoxSession;
  beforeAll(async () => {
    ext = await launchFirefoxExtension({ trustCaPath: pki.caPath });
  });
  afterAll(async () => {
    await ext?.close();
  });

  callTestSuite(
    'Firefox',
    () => (request) => ext.ask(request),
    () => ext.consoleErrors,
    () => ext.storage.remove(STORAGE_KEYS.callTestSpacing),
  );

  it('the popup’s port streams progress from the background page, then the result', async () => {
    const page = await ext.openPage('src/options/index.html');
    const messages = await page.evaluate(
      ({ name, relay }) =>
        new Promise<CallTestPortMessage[]>((resolve) => {
          const seen: CallTestPortMessage[] = [];
          const port = browser.runtime.connect({ name });
          port.onMessage.addListener((message: unknown) => {
            const typed = message as CallTestPortMessage;
            seen.push(typed);
            if (typed.type !== 'progress') resolve(seen);
          });
          port.postMessage({ type: 'start', duration: 'quick', relay });
        }),
      { name: CALL_TEST_PORT, relay: clean },
    );
    expect(messages.filter((m) => m.type === 'progress').length).toBeGreaterThanOrEqual(2);
    expect(messages.at(-1)).toMatchObject({ type: 'done', result: { transport: 'udp' } });
    await page.close();
  });
});
