// Port reflection in a real browser, as one contract both browsers' tests run: STUN responders on loopback play the relay on its own port and on two apps' call ports, and an nftables rule drops one app's port.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App, Catalog } from '../../src/core/catalog';
import type { BackgroundRequest, BackgroundResponse } from '../../src/core/messages';
import { REFLECTOR_CONTROL_ID, reflectorId } from '../../src/core/reflection';
import type { AppVerdict, Report } from '../../src/core/report';
import { startStunResponder, type Stoppable } from '../../tools/servers';
import { startFixtures, type Fixtures } from '../../tools/local-network';

/** What the contract needs of a browser with the test extension loaded (Chromium's and Firefox's sessions both are). */
export interface ReflectionBrowser {
  ask<T extends BackgroundRequest>(request: T): Promise<BackgroundResponse<T['type']>>;
  consoleErrors: string[];
  close(): Promise<void>;
}

const source = 'https://github.com/can-i-call/can-i-call/tree/main/test/e2e';
/** The relay's address: a loopback address of its own, so it can listen on the apps' real call ports. */
const RELAY = '127.0.0.4';
const OPEN_PORT = 8801;
const DROPPED_PORT = 9987;
/** The relay's own port: not 3478, so nothing rests on the usual one. */
const CONTROL_PORT = 3480;
const TABLE = 'cic_reflection_e2e';

type Responder = Stoppable & { received(): number };

/**
 * Drops UDP to the relay on one port as it arrives: silence, with no ICMP refusal. On the way in, not out: a packet
 * dropped in the output hook fails the sender's sendmsg with EPERM, which Firefox reports as a 701 (seen: 18 ms) and
 * Chromium does not, whereas a network's drop is silent to the sender.
 */
function dropPort(port: number): void {
  try {
    execFileSync('nft', ['-f', '-'], {
      input: `table inet ${TABLE} {\n  chain in {\n    type filter hook input priority 0; policy accept;\n    ip daddr ${RELAY} udp dport ${port} drop\n  }\n}\n`,
    });
  } catch (error) {
    throw new Error(`this test needs nftables and root to drop one port on loopback ("apt-get install nftables"): ${String(error)}`);
  }
}

function undropPort(): void {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', TABLE], { stdio: 'ignore' });
  } catch {
    // Not there: nothing to undo.
  }
}

/**
 * Defines the reflection tests for one browser: `launch` starts it with the test extension, trusting the fixtures'
 * CA. The same checks, the same expected answers, in either browser.
 */
export function describeReflection(browserName: string, launch: (fx: Fixtures) => Promise<ReflectionBrowser>): void {
  let fx: Fixtures;
  let ext: ReflectionBrowser;
  let controls: Responder[] = [];
  const relay = new Map<number, Responder>();

  function app(id: string, port: number): App {
    return {
      id,
      name: id,
      signalling: [{ id: `${id}.web`, url: `https://127.0.0.1:${fx.https.ok.port}/${id}`, source }],
      media: [],
      transports: ['udp'],
      udpPorts: [port],
      udpPortSources: [{ ports: [port], source }],
      mediaConfidence: 'low',
      sources: [source],
    };
  }

  function catalog(): Catalog {
    return {
      version: '2026.12.10.1',
      controls: {
        http: [{ id: 'control.ok', url: `https://127.0.0.1:${fx.https.ok.port}/generate_204`, source }],
        stun: [
          { id: 'control.stun-a', url: `stun:127.0.0.2:${controls[0]?.port ?? 0}`, source },
          { id: 'control.stun-b', url: `stun:127.0.0.3:${controls[1]?.port ?? 0}`, source },
        ],
      },
      apps: [app('open-ports', OPEN_PORT), app('dropped-ports', DROPPED_PORT)],
    };
  }

  const heard = () => new Map([...relay].map(([port, responder]) => [port, responder.received()]));
  const verdictOf = (report: Report, id: string): AppVerdict | undefined => report.apps.find((a) => a.appId === id);
  const why = (report: Report) => JSON.stringify({ apps: report.apps.map((a) => [a.appId, a.verdict, a.reasons]), ice: report.observations.ice });

  beforeAll(async () => {
    undropPort();
    fx = await startFixtures();
    controls = [await startStunResponder(undefined, '127.0.0.2'), await startStunResponder(undefined, '127.0.0.3')];
    for (const port of [CONTROL_PORT, OPEN_PORT, DROPPED_PORT]) relay.set(port, await startStunResponder(undefined, RELAY, { port }));
    dropPort(DROPPED_PORT);
    ext = await launch(fx);
  });

  afterAll(async () => {
    undropPort();
    await ext?.close();
    await Promise.all([...controls, ...relay.values()].map((s) => s.stop()));
    await fx?.stop();
  });

  describe(`port reflection in ${browserName}`, () => {
    let report: Report;

    it("judges an app whose call port the network drops as blocked, from its own port, while the relay's port answers", async () => {
      report = await ext.ask({ type: 'runCheck', catalog: catalog(), reflector: { host: RELAY, port: CONTROL_PORT, ports: [OPEN_PORT, DROPPED_PORT] } });
      expect(report.status).toBe('done');
      expect(verdictOf(report, 'dropped-ports'), why(report)).toMatchObject({
        verdict: 'blocked',
        calls: 'blocked',
        confidence: 'medium',
        reasons: ['CALL_PORTS_BLOCKED', 'MEDIA_REFLECTED'],
      });
      const dropped = report.observations.ice.find((r) => r.id === reflectorId(DROPPED_PORT));
      // Silent in both passes: the only silence that counts.
      expect(dropped).toMatchObject({ outcome: 'filtered', attempts: 2 });
      expect(report.observations.ice.find((r) => r.id === REFLECTOR_CONTROL_ID)?.outcome).toBe('reachable');
      // The responder behind the rule heard nothing: the silence is the rule's, not a dead responder's.
      expect(heard().get(DROPPED_PORT)).toBe(0);
    });

    it('judges an app whose call port answers as working, tested through the relay', () => {
      expect(verdictOf(report, 'open-ports'), why(report)).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: ['MEDIA_REFLECTED'] });
      expect(heard().get(OPEN_PORT)).toBeGreaterThan(0);
    });

    it('sends nothing to the relay without a reflector, and judges those apps from general tests as before', async () => {
      const before = heard();
      const plain = await ext.ask({ type: 'runCheck', catalog: catalog() });
      expect(heard()).toEqual(before);
      expect(plain.observations.ice.some((r) => r.id.startsWith('reflector.'))).toBe(false);
      for (const id of ['open-ports', 'dropped-ports']) expect(verdictOf(plain, id), why(plain)).toMatchObject({ verdict: 'works', confidence: 'low', reasons: ['MEDIA_INFERRED'] });
    });

    it('refuses a malformed reflector with a clear error', async () => {
      await expect(ext.ask({ type: 'runCheck', catalog: catalog(), reflector: { host: 'a b', port: CONTROL_PORT, ports: [] } })).rejects.toThrow(/invalid reflector at host/);
    });

    it('logged no errors in the extension', () => {
      expect(ext.consoleErrors).toEqual([]);
    });
  });
}
