// rejudge(): a shared report carries enough to be judged again, and the same engine gives the same verdicts back.
import { describe, expect, it } from 'vitest';
import { anonymise } from '../../src/core/anonymise';
import type { Catalog } from '../../src/core/catalog';
import { reflectorId, withReflector } from '../../src/core/reflection';
import type { IceProbeResult, Observations, Report } from '../../src/core/report';
import { observationsOf, rejudge } from '../../src/core/rejudge';
import { ENGINE_VERSION, judge } from '../../src/core/verdict';
import type { Judge } from '../../src/core/rejudge';
import {
  appIpsDropped,
  bundledCatalog,
  captivePortal,
  dnsBlockPage,
  dnsNxdomain,
  lossyLink,
  offline,
  onlyTcp443,
  openNetwork,
  silenceIce,
  stunDpi,
  stunPortsBlocked,
  symmetricNat,
  tcpReset,
  tlsInterference,
  udpBlocked,
  unconfirmed,
  withHttp3,
} from './fixtures/observations';

const catalog = bundledCatalog();
const SHARE_ID = '0b7f6c2e-3a41-4d8e-9f6b-2c1d5e4a3b70';

function reportOf(obs: Observations, judgedWith: Catalog = catalog): Report {
  const judgement = judge(judgedWith, obs, { final: true });
  return {
    schema: 1,
    id: '6c1d2f0a-3b4e-4c5d-9e6f-7a8b9c0d1e2f',
    status: 'done',
    startedAt: '2026-06-18T14:05:09.123Z',
    finishedAt: '2026-06-18T14:05:12.456Z',
    extensionVersion: '0.1.0',
    catalogVersion: catalog.version,
    browser: { family: 'chrome', major: 140 },
    observations: obs,
    apps: judgement.apps,
    overall: judgement.overall,
    ...(judgement.quality === undefined ? {} : { quality: judgement.quality }),
  } as Report;
}

/** Every app media target silent twice, yet each answered part of its path's loss burst: reachable over a lossy path. */
function heardInBursts(obs: Observations): Observations {
  const media = catalog.apps.flatMap((app) => app.media.map((t) => t.id));
  return { ...obs, paths: { rtt: [], loss: media.map((targetId) => ({ targetId, exchanges: 32, answered: 6, sent: 40, lost: 30, ms: 1000 })) } };
}

const SCENARIOS: [string, Observations][] = [
  ['silent media heard in their loss bursts', heardInBursts(udpBlocked(catalog))],
  ['open network', openNetwork(catalog)],
  ['offline', offline(catalog)],
  ['captive portal', captivePortal(catalog)],
  ['UDP blocked', udpBlocked(catalog)],
  ['UDP blocked, QUIC answers', withHttp3(udpBlocked(catalog), [catalog.controls.http[0]?.id ?? ''])],
  ['STUN DPI', stunDpi(catalog)],
  ['STUN ports blocked', stunPortsBlocked(catalog)],
  ['silence not confirmed', unconfirmed(udpBlocked(catalog))],
  ['DNS NXDOMAIN for WhatsApp', dnsNxdomain(catalog, 'whatsapp')],
  ['DNS block page for Signal', dnsBlockPage(catalog, 'signal')],
  ['Telegram addresses dropped', appIpsDropped(catalog, 'telegram')],
  ['TCP reset of WhatsApp', tcpReset(catalog, 'whatsapp')],
  ['TLS interference', tlsInterference(catalog)],
  ['symmetric NAT', symmetricNat(catalog)],
  ['lossy link', lossyLink(catalog)],
  ['only TCP 443', onlyTcp443(catalog)],
  ['a slow link (two loaded samples)', { ...openNetwork(catalog), loadedRtt: { targetId: 'control.stun.cloudflare', samples: [820, 577], medianMs: 698 } }],
  ['one loaded sample (a stall, not evidence)', { ...openNetwork(catalog), loadedRtt: { targetId: 'control.stun.cloudflare', samples: [312], medianMs: 312 } }],
  ["Teams' relay silent, its plain TCP once after its TLS twice", teamsRelaySilent(false)],
  ["Teams' TLS silence residual from an earlier check", teamsRelaySilent(true)],
];

/** UDP blocked and Teams' relay silent over TCP and TLS: its plain TCP probed once, after the TLS probe's two (residual.ts). */
function teamsRelaySilent(residual: boolean): Observations {
  const obs = udpBlocked(catalog);
  const silent = { outcome: 'filtered' as const, evidence: 'deadline' as const, failure: 'generic_timeout_error' as const, ms: 1500 };
  return {
    ...obs,
    ice: obs.ice.map((r) => {
      if (r.id === 'teams.relay.tcp') return { id: r.id, scheme: r.scheme, transport: r.transport, port: r.port, ...silent };
      if (r.id === 'teams.relay.tls') return { id: r.id, scheme: r.scheme, transport: r.transport, port: r.port, ...silent, attempts: 2, ...(residual ? { residual: true as const } : {}) };
      return r;
    }),
  };
}

const verdicts = (report: { apps: readonly { appId: string; verdict: string; confidence: string; reasons: readonly string[] }[] }) =>
  report.apps.map(({ appId, verdict, confidence, reasons }) => ({ appId, verdict, confidence, reasons: [...reasons].sort() }));

describe('rejudge', () => {
  it.each(SCENARIOS)('%s: the same engine judges the shared report as the extension did', (_name, obs) => {
    const shared = anonymise(reportOf(obs), { id: SHARE_ID });
    expect(shared.evidence?.engine).toBe(ENGINE_VERSION);
    const again = rejudge(catalog, shared, { version: ENGINE_VERSION + 1, judge });
    if (again === undefined) throw new Error('a report with evidence is judged again');
    expect(verdicts(again)).toEqual(verdicts(shared));
    expect(again.overall).toEqual(shared.overall);
    expect(again.evidence?.engine).toBe(ENGINE_VERSION + 1);
  });

  it('the scenarios are not all alike (the round trip is not trivially true)', () => {
    const kinds = new Set(SCENARIOS.map(([, obs]) => JSON.stringify(verdicts(anonymise(reportOf(obs), { id: SHARE_ID })))));
    expect(kinds.size).toBeGreaterThan(8);
    // The burst evidence matters to the engine, so the round trip above carries it.
    const [, heard] = SCENARIOS[0] ?? [];
    const heardVerdicts = JSON.stringify(verdicts(anonymise(reportOf(heard ?? udpBlocked(catalog)), { id: SHARE_ID })));
    expect(heardVerdicts).not.toBe(JSON.stringify(verdicts(anonymise(reportOf(udpBlocked(catalog)), { id: SHARE_ID }))));
  });

  it('a changed rule changes the stored verdict, and only for reports judged by an older engine', () => {
    const shared = anonymise(reportOf(openNetwork(catalog)), { id: SHARE_ID });
    expect(shared.apps.find((a) => a.appId === 'whatsapp')?.verdict).toBe('works');
    // A rule change: WhatsApp's calls are now judged blocked whatever the evidence.
    const stricter: Judge = (c, obs, options) => {
      const j = judge(c, obs, options);
      return { ...j, apps: j.apps.map((a) => (a.appId === 'whatsapp' ? { ...a, verdict: 'blocked' as const, calls: 'blocked' as const } : a)) };
    };
    const again = rejudge(catalog, shared, { version: ENGINE_VERSION + 1, judge: stricter });
    expect(again?.apps.find((a) => a.appId === 'whatsapp')?.verdict).toBe('blocked');
    expect(again?.apps.find((a) => a.appId === 'signal')?.verdict).toBe(shared.apps.find((a) => a.appId === 'signal')?.verdict);
    expect(rejudge(catalog, shared, { version: ENGINE_VERSION, judge: stricter })).toBeUndefined();
  });

  describe('a check with the relay: its reflection probes are judged again without the relay', () => {
    /** The extension judged with the reflector in its catalog; the collector has only the catalog it serves. */
    const reflected = withReflector(catalog, { host: 'relay.example', port: 3478, ports: [...new Set(catalog.apps.flatMap((app) => app.udpPorts))] });
    const port = (n: number) => (r: IceProbeResult) => r.id === reflectorId(n);
    const dropped = silenceIce(openNetwork(reflected), (r) => port(8801)(r) || port(8802)(r) || port(1400)(r) || port(596)(r) || r.id.startsWith('telegram.media.'));

    it.each([
      ['open', openNetwork(reflected)],
      ["Zoom's and Telegram's call ports dropped", dropped],
    ])('%s: the same verdicts, reflected ones included', (_name, obs) => {
      const shared = anonymise(reportOf(obs, reflected), { id: SHARE_ID });
      expect(shared.apps.some((app) => app.reasons.includes('MEDIA_REFLECTED'))).toBe(true);
      const again = rejudge(catalog, shared, { version: ENGINE_VERSION + 1, judge });
      expect(again && verdicts(again)).toEqual(verdicts(shared));
    });

    it("keeps the reflected verdicts of a report whose reflection probes an older collector dropped", () => {
      const shared = anonymise(reportOf(dropped, reflected), { id: SHARE_ID });
      const stripped = { ...shared, probes: shared.probes.filter((probe) => !probe.targetId.startsWith('reflector.')) };
      expect(shared.apps.find((a) => a.appId === 'telegram')).toMatchObject({ verdict: 'blocked', reasons: expect.arrayContaining(['CALL_PORTS_BLOCKED']) as string[] });
      const again = rejudge(catalog, stripped, { version: ENGINE_VERSION + 1, judge });
      expect(again?.apps.find((a) => a.appId === 'telegram')).toEqual(shared.apps.find((a) => a.appId === 'telegram'));
      expect(again?.apps.find((a) => a.appId === 'zoom')).toEqual(shared.apps.find((a) => a.appId === 'zoom'));
      // The overall answer rested on them too: it stays as sent. Where UDP is silent but for our relay's reflected
      // ports, judged without them it would read otherwise.
      expect(again?.overall).toEqual(shared.overall);
      const udpSilent = silenceIce(openNetwork(reflected), (r) => r.transport === 'udp' && !r.id.startsWith('reflector.'));
      const sentUdpSilent = anonymise(reportOf(udpSilent, reflected), { id: SHARE_ID });
      const strippedUdpSilent = { ...sentUdpSilent, probes: sentUdpSilent.probes.filter((probe) => !probe.targetId.startsWith('reflector.')) };
      expect(rejudge(catalog, strippedUdpSilent, { version: ENGINE_VERSION + 1, judge })?.overall).toEqual(sentUdpSilent.overall);
      // Judged from the probes that were kept, they would have read otherwise: the keeping is what holds them.
      const kept = rejudge(catalog, { ...stripped, apps: stripped.apps.map((a) => ({ ...a, reasons: [] })) }, { version: ENGINE_VERSION + 1, judge });
      expect(kept?.apps.find((a) => a.appId === 'telegram')?.reasons).not.toContain('CALL_PORTS_BLOCKED');
    });
  });

  it('a report without evidence (an older extension) cannot be judged again and keeps its verdicts', () => {
    const old = { ...anonymise(reportOf(udpBlocked(catalog)), { id: SHARE_ID }), evidence: undefined };
    delete old.evidence;
    expect(observationsOf(catalog, old)).toBeUndefined();
    expect(rejudge(catalog, old, { version: ENGINE_VERSION + 1, judge })).toBeUndefined();
  });
});
