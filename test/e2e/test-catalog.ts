// A catalog (same schema as the bundled one) whose every target is a local fixture, for checks in tests.
import type { Catalog } from '../../src/core/catalog';
import type { AppVerdict } from '../../src/core/report';
import type { Fixtures } from '../../tools/local-network';

const source = 'https://github.com/can-i-call/can-i-call/tree/main/test/e2e';

export function testCatalog(fx: Fixtures, stunPorts: { a: number; b: number }): Catalog {
  const local = (port: number, path = '/') => `https://127.0.0.1:${port}${path}`;
  return {
    version: '2026.11.23.1',
    controls: {
      http: [
        { id: 'control.ok', url: local(fx.https.ok.port, '/generate_204'), source },
        { id: 'control.ok-localhost', url: `https://localhost:${fx.https.ok.port}/generate_204`, source },
      ],
      stun: [
        { id: 'control.stun-a', url: `stun:127.0.0.2:${stunPorts.a}`, source },
        { id: 'control.stun-b', url: `stun:127.0.0.3:${stunPorts.b}`, source },
        { id: 'control.turn-udp', url: `turn:127.0.0.1:${fx.coturn.port}?transport=udp`, source },
      ],
    },
    apps: [
      {
        id: 'open-app',
        name: 'Open App',
        signalling: [{ id: 'open-app.web', url: local(fx.https.ok.port, '/app'), source }],
        media: [
          // The TURN control's own server (same address and port, over UDP and TCP): shared evidence, judged as the
          // generic result, as a real catalog must mark it. Its TLS listener is the app's own.
          { id: 'open-app.turn-udp', url: `turn:127.0.0.1:${fx.coturn.port}?transport=udp`, source, sharedWith: 'control.turn-udp' },
          { id: 'open-app.turn-tcp', url: `turn:127.0.0.1:${fx.coturn.port}?transport=tcp`, source, sharedWith: 'control.turn-udp' },
          { id: 'open-app.turn-tls', url: `turns:localhost:${fx.coturn.tlsPort}?transport=tcp`, source },
        ],
        transports: ['udp', 'tcp', 'tls'],
        udpPorts: [3478],
        mediaConfidence: 'high',
        sources: [source],
      },
      {
        id: 'blocked-app',
        name: 'Blocked App',
        signalling: [{ id: 'blocked-app.web', url: local(fx.closedPort), source }],
        media: [{ id: 'blocked-app.stun', url: `stun:127.0.0.1:${fx.silentUdp.port}`, source }],
        transports: ['udp'],
        udpPorts: [3478],
        mediaConfidence: 'high',
        sources: [source],
      },
      {
        id: 'reset-app',
        name: 'Reset App',
        signalling: [{ id: 'reset-app.web', url: local(fx.https.reset.port), source }],
        media: [],
        transports: ['udp', 'tcp'],
        udpPorts: [3478],
        mediaConfidence: 'low',
        sources: [source],
      },
    ],
  };
}

/**
 * What a check against `testCatalog` must conclude per app, in every browser: the Chromium and Firefox suites both
 * assert it, so a browser difference that changes a verdict fails one of them.
 */
export const SHARED_SCENARIO_VERDICTS: Readonly<Record<string, Pick<AppVerdict, 'verdict' | 'messaging' | 'calls'>>> = {
  'open-app': { verdict: 'works', messaging: 'reachable', calls: 'reachable' },
  'blocked-app': { verdict: 'blocked', messaging: 'blocked', calls: 'blocked' },
  'reset-app': { verdict: 'blocked', messaging: 'blocked', calls: 'reachable' },
};
