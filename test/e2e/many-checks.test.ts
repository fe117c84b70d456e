// Checks in a row: Chrome refuses a new RTCPeerConnection while its process holds 500 not yet garbage-collected, and a
// 16-app check opens about 120. Before the prober reclaimed them, the sixth 16-app check in a row measured no RTT or
// loss and read every app "degraded" by local interference on a clean loopback network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog';
import { PeerConnectionLimitError } from '../../src/core/device-limit';
import type { Report } from '../../src/core/report';
import { startFixtures, type Fixtures } from '../../tools/local-network';
import { launchExtension, type ExtensionSession } from '../../tools/chromium-extension';
import { startStunResponder, type Stoppable } from '../../tools/servers';

const APPS = 16;
const CHECKS = 8;
const source = 'https://example.org/test';

let fx: Fixtures;
let ext: ExtensionSession;
let stuns: Stoppable[] = [];

beforeAll(async () => {
  fx = await startFixtures();
  stuns = await Promise.all([startStunResponder(undefined, '127.0.0.2'), startStunResponder(undefined, '127.0.0.3'), ...Array.from({ length: APPS }, () => startStunResponder())]);
  ext = await launchExtension({ trustCaPath: fx.pki.caPath });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all(stuns.map((s) => s.stop()));
  await fx?.stop();
});

/** Every app with its own answering STUN server and web host: an open network, so every app works. */
function openCatalog(): Catalog {
  const web = `https://127.0.0.1:${fx.https.ok.port}`;
  const [a, b, ...media] = stuns;
  return {
    version: '2026.12.07',
    controls: {
      http: [{ id: 'control.http', url: `${web}/generate_204`, source }],
      stun: [
        { id: 'control.stun-a', url: `stun:127.0.0.2:${a?.port ?? 0}`, source },
        { id: 'control.stun-b', url: `stun:127.0.0.3:${b?.port ?? 0}`, source },
      ],
    },
    apps: media.map((server, i) => ({
      id: `app-${i}`,
      name: `App ${i}`,
      signalling: [{ id: `app-${i}.web`, url: `${web}/app/${i}`, source }],
      media: [{ id: `app-${i}.stun`, url: `stun:127.0.0.1:${server.port}`, source }],
      transports: ['udp', 'tcp'],
      udpPorts: [3478],
      mediaConfidence: 'medium',
      sources: [source],
    })),
  };
}

async function runCheck(catalog: Catalog): Promise<Report> {
  const page = await ext.openPage('src/options/index.html');
  try {
    const answer = await page.evaluate(async (c) => (await chrome.runtime.sendMessage({ type: 'runCheck', catalog: c })) as { ok: boolean; value: Report; error?: string }, catalog);
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  } finally {
    await page.close();
  }
}

describe('checks in a row in one browser', () => {
  it(`measures ${CHECKS} 16-app checks in a row, or says the browser ran out of connections: never a finding from a broken prober`, async () => {
    const catalog = openCatalog();
    const reports: Report[] = [];
    for (let i = 0; i < CHECKS; i += 1) reports.push(await runCheck(catalog));
    const summary = reports.map((r, i) => `${i}: ${r.status} rtt=${r.observations.rtt !== undefined} loss=${r.observations.loss !== undefined} ${r.apps.map((a) => a.verdict).join(',')}`).join('\n');
    for (const report of reports) {
      if (report.status === 'failed') {
        expect(report.error, summary).toBe(new PeerConnectionLimitError().message);
        continue;
      }
      expect(report.status, summary).toBe('done');
      expect(report.observations.rtt?.medianMs, summary).toBeDefined();
      expect(report.observations.loss, summary).toBeDefined();
      expect(report.apps.map((a) => a.verdict), summary).toEqual(Array.from({ length: APPS }, () => 'works'));
      expect(report.observations.paths?.rtt?.length, summary).toBe(APPS);
    }
    // Before the reclaim the sixth check already had no connection left.
    expect(reports.slice(0, 6).map((r) => r.status), summary).toEqual(Array.from({ length: 6 }, () => 'done'));
  });
});
