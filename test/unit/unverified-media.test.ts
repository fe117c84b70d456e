// An unverified media server (catalog `unverified`): its answer is the app's own evidence, its silence or failure none.
import { describe, expect, it } from 'vitest';
import type { App, Catalog } from '../../src/core/catalog';
import { planConfirmation, planPaths } from '../../src/core/check-plan';
import { confirmDeadlines } from '../../src/core/deadlines';
import { isGuessed } from '../../src/core/headline';
import type { IceProbeResult, Observations } from '../../src/core/report';
import { judge } from '../../src/core/verdict';
import { bundledCatalog, openNetwork, silenceIce } from './fixtures/observations';

const bundled = bundledCatalog();

function verdictOf(catalog: Catalog, obs: Observations, appId: string) {
  return judge(catalog, obs, { final: true }).apps.find((a) => a.appId === appId);
}

function row(catalog: Catalog, obs: Observations, appId: string) {
  const verdict = verdictOf(catalog, obs, appId);
  return verdict && [verdict.verdict, verdict.confidence, verdict.reasons];
}

/** The catalog with an app's unverified servers left out: how the app must read when they say nothing. */
function without(catalog: Catalog, appId: string): Catalog {
  return { ...catalog, apps: catalog.apps.map((app) => (app.id === appId ? { ...app, media: app.media.filter((t) => t.unverified === undefined) } : app)) };
}

/** Observations for `catalog` minus the probes of targets it does not have. */
function only(catalog: Catalog, obs: Observations): Observations {
  const ids = new Set(catalog.apps.flatMap((app) => app.media.map((t) => t.id)));
  return { ...obs, ice: obs.ice.filter((r) => ids.has(r.id) || r.id.startsWith('control.')) };
}

const telegramServers = (r: IceProbeResult) => r.id.startsWith('telegram.media.');

/** An app with one media server of its own (by default a UDP-only app's STUN), verified or not, at high mediaConfidence. */
function voip(unverified: boolean, server: Pick<App, 'transports'> & { url: string } = { url: 'stun:stun.voip.example:3478', transports: ['udp'] }): Catalog {
  const app: App = {
    id: 'voip',
    name: 'VoIP',
    signalling: [{ id: 'voip.web', url: 'https://voip.example/', source: 'https://voip.example/' }],
    media: [
      {
        id: 'voip.media',
        url: server.url,
        source: 'https://voip.example/',
        note: 'test',
        ...(unverified ? { unverified: { why: 'seen in one capture' } } : {}),
      },
    ],
    transports: server.transports,
    udpPorts: [3478],
    udpPortSources: [{ ports: [3478], source: 'https://voip.example/' }],
    mediaConfidence: 'high',
    sources: ['https://voip.example/'],
  };
  return { ...bundled, apps: [...bundled.apps, app] };
}

describe('an unverified media server', () => {
  it('that answered makes the app tested on its own server, at its mediaConfidence but never above medium', () => {
    const telegram = verdictOf(bundled, openNetwork(bundled), 'telegram');
    expect(telegram).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: [] });
    expect(telegram !== undefined && isGuessed(telegram)).toBe(false);
    // Meet's mediaConfidence is low: an unverified answer lends no more than that.
    expect(row(bundled, openNetwork(bundled), 'meet')).toEqual(['works', 'low', []]);
    // A high-confidence app: its verified server gives high, the same server unverified medium.
    expect(row(voip(false), openNetwork(voip(false)), 'voip')).toEqual(['works', 'high', []]);
    expect(row(voip(true), openNetwork(voip(true)), 'voip')).toEqual(['works', 'medium', []]);
  });

  it('silent in both passes leaves the app judged as if the server were not in the catalog, never blocked', () => {
    const silent = silenceIce(openNetwork(bundled), telegramServers);
    const absent = without(bundled, 'telegram');
    expect(row(bundled, silent, 'telegram')).toEqual(['works', 'low', ['MEDIA_INFERRED']]);
    expect(row(bundled, silent, 'telegram')).toEqual(row(absent, only(absent, silent), 'telegram'));
    // Its silent port (1400) is no evidence about the network either: no app reads STUN_PORTS_BLOCKED from it.
    expect(judge(bundled, silent, { final: true }).apps.flatMap((a) => a.reasons)).not.toContain('STUN_PORTS_BLOCKED');
    // The same silence from a verified server of the app's own is a finding: blocked, RELAY_UNREACHABLE.
    const verified = voip(false);
    const dropped = silenceIce(openNetwork(verified), (r) => r.id === 'voip.media');
    expect(row(verified, dropped, 'voip')).toEqual(['blocked', 'high', ['RELAY_UNREACHABLE']]);
    const unverified = voip(true);
    expect(row(unverified, silenceIce(openNetwork(unverified), (r) => r.id === 'voip.media'), 'voip')).toEqual(['works', 'low', ['MEDIA_INFERRED']]);
  });

  it('answering with an error (a 701, a refused TLS handshake) is no evidence either', () => {
    const open = openNetwork(bundled);
    const refused: Observations = {
      ...open,
      ice: open.ice.map((r) => (r.id === 'meet.relay.tls' ? { ...r, outcome: 'unreachable', evidence: 'error-701', errorCode: 701, failure: 'connection_refused' } : r)),
    };
    const absent = without(bundled, 'meet');
    expect(row(bundled, refused, 'meet')).toEqual(row(absent, only(absent, refused), 'meet'));
    expect(row(bundled, refused, 'meet')).toEqual(['works', 'low', ['MEDIA_INFERRED']]);
    // On a network without UDP, Meet's TLS path then rests on the other vendors' TURN over TLS, not on its silent server.
    const udpGone = silenceIce(refused, (r) => r.transport === 'udp');
    expect(verdictOf(bundled, udpGone, 'meet')).toMatchObject({ verdict: 'degraded', calls: 'partial' });
    expect(verdictOf(bundled, udpGone, 'meet')?.reasons).not.toContain('RELAY_UNREACHABLE');
    // An app whose only path besides UDP is that TLS relay: refused, it leaves the TLS path to the generic TURN/TLS
    // evidence (which answered), where a verified relay's refusal is a finding.
    const tlsRelay = { url: 'turns:relay.voip.example:443?transport=tcp', transports: ['udp', 'tls'] as App['transports'] };
    const refusedRelay = (catalog: Catalog) => {
      const obs = silenceIce(openNetwork(catalog), (r) => r.transport === 'udp');
      return { ...obs, ice: obs.ice.map((r) => (r.id === 'voip.media' ? { ...r, outcome: 'unreachable' as const, evidence: 'error-701' as const, errorCode: 701, failure: 'connection_refused' as const } : r)) };
    };
    expect(row(voip(true, tlsRelay), refusedRelay(voip(true, tlsRelay)), 'voip')).toEqual(['degraded', 'low', ['UDP_BLOCKED_TCP_FALLBACK', 'MEDIA_INFERRED']]);
    expect(row(voip(false, tlsRelay), refusedRelay(voip(false, tlsRelay)), 'voip')?.[0]).toBe('blocked');
  });

  it('that answered outweighs a network-wide reading of its port: answered UDP 1400 is the app\'s own path', () => {
    const obs = silenceIce(openNetwork(bundled), (r) => r.id === 'telegram.media.stun-2' || r.id === 'telegram.media.stun-3');
    expect(row(bundled, obs, 'telegram')).toEqual(['works', 'medium', []]);
  });
});

describe('the passes with an unverified server', () => {
  const filtered = (id: string): IceProbeResult => ({ id, scheme: 'stun', transport: 'udp', port: 1400, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1000 });

  it('never makes a confirmation pass of its own, and is asked again when the pass runs for other targets anyway', () => {
    const iceIds = (tasks: ReturnType<typeof planConfirmation>) => tasks.flatMap((t) => (t.kind === 'ice' ? t.groups.flatMap((g) => g.targets.map((target) => target.id)) : []));
    const alone = { http: [], ice: [filtered('telegram.media.stun-1')] };
    expect(planConfirmation(bundled, alone, undefined, confirmDeadlines(40, 45), 6)).toEqual([]);
    const withVerified = { http: [], ice: [filtered('telegram.media.stun-1'), filtered('jitsi.media.stun')] };
    expect(iceIds(planConfirmation(bundled, withVerified, undefined, confirmDeadlines(40, 45), 6)).sort()).toEqual(['jitsi.media.stun', 'telegram.media.stun-1']);
  });

  it('measures the path to it only where it answered, never a burst to a silent one', () => {
    const open = openNetwork(bundled).ice;
    const silentFirst = open.map((r) => (r.id === 'telegram.media.stun-1' ? { ...filtered(r.id), attempts: 2 } : r));
    const telegramPath = (ice: readonly IceProbeResult[]) => planPaths(bundled, ice).find((p) => p.targets.some((t) => t.id.startsWith('telegram.')));
    expect(telegramPath(open)).toEqual({ targets: [expect.objectContaining({ id: 'telegram.media.stun-1' })], rtt: true });
    expect(telegramPath(silentFirst)).toEqual({ targets: [expect.objectContaining({ id: 'telegram.media.stun-2' })], rtt: true });
    const allSilent = open.map((r) => (telegramServers(r) ? { ...filtered(r.id), attempts: 2 } : r));
    expect(telegramPath(allSilent)).toBeUndefined();
    // A verified server silent in both passes still gets the burst alone (silence.ts heardInBurst).
    const jitsiSilent = open.map((r) => (r.id === 'jitsi.media.stun' ? { ...filtered(r.id), attempts: 2 } : r));
    expect(planPaths(bundled, jitsiSilent).find((p) => p.targets.some((t) => t.id === 'jitsi.media.stun'))).toMatchObject({ rtt: false });
  });
});
