// The local network a browser test or `npm run bench` probes: coturn, HTTPS servers in each failure mode, a STUN responder, silent and closed ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from './pki';
import {
  closedTcpPort,
  startCoturn,
  startHttps,
  startNotTls,
  startResetAfterHello,
  startSilentUdp,
  startStunResponder,
  type Coturn,
  type Stoppable,
} from './servers';

export interface Fixtures {
  pki: TestPki;
  coturn: Coturn;
  stun: Stoppable & { received(): number };
  silentUdp: Stoppable & { received(): number };
  closedPort: number;
  https: { ok: Stoppable; hang: Stoppable; reset: Stoppable; redirect: Stoppable; wrongHost: Stoppable; unknownCa: Stoppable; notTls: Stoppable };
  stop(): Promise<void>;
}

export async function startFixtures(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'cic-fixtures-'));
  const pki = makeTestPki(dir, ['localhost'], ['127.0.0.1']);
  const coturn = await startCoturn(pki.server);
  const https = {
    ok: await startHttps(pki.server, 'ok'),
    hang: await startHttps(pki.server, 'hang'),
    reset: await startResetAfterHello(),
    redirect: await startHttps(pki.server, 'redirect'),
    wrongHost: await startHttps(pki.wrongHost, 'ok'),
    unknownCa: await startHttps(pki.unknownCa, 'ok'),
    notTls: await startNotTls(),
  };
  const stun = await startStunResponder();
  const silentUdp = await startSilentUdp();
  const closedPort = await closedTcpPort();
  return {
    pki,
    coturn,
    stun,
    silentUdp,
    closedPort,
    https,
    async stop() {
      await Promise.all([coturn.stop(), stun.stop(), silentUdp.stop(), ...Object.values(https).map((s) => s.stop())]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
