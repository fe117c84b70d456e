// The verdict engine over one fixture per blocking technique, asserting every app of the bundled catalog.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { Confidence } from '../../src/core/catalog';
import type { Advice, Reason } from '../../src/core/reasons';
import { AppVerdictSchema, OverallSchema, QualitySchema, type Observations, type Verdict } from '../../src/core/report';
import { judge } from '../../src/core/verdict';
import {
  answerHttp,
  appIpsDropped,
  bundledCatalog,
  captivePortal,
  dnsBlockPage,
  dnsBlockPageUnseen,
  dnsNxdomain,
  failHttp,
  idPrefix,
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
  udp,
  udpBlocked,
  unconfirmed,
  withDns,
  withHttp3,
  withRtt,
} from './fixtures/observations';
import { OPEN, STUN_FILTERED, STUN_PORTS_BLOCKED, UDP_BLOCKED, type Row, type Table } from '../support/expected-verdicts';

const catalog = bundledCatalog();
const APP_IDS = catalog.apps.map((app) => app.id);


const MI = 'MEDIA_INFERRED';
const UBTF = 'UDP_BLOCKED_TCP_FALLBACK';
const SF = 'STUN_FILTERED';
const SPB = 'STUN_PORTS_BLOCKED';


const everyApp = (row: Row): Table => Object.fromEntries(APP_IDS.map((id) => [id, row]));


interface Case {
  name: string;
  obs: Observations;
  apps: Table;
  overall: { verdict: Verdict; confidence: Confidence; reasons: readonly Reason[]; advice: readonly Advice[] };
  /** Advice expected for particular apps. */
  advice?: Readonly<Record<string, readonly Advice[]>>;
}

const CASES: Case[] = [
  {
    name: 'open network',
    obs: openNetwork(catalog),
    apps: OPEN,
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: [] },
    advice: { jitsi: [], viber: [] },
  },
  {
    name: 'offline: nothing upstream answers',
    obs: offline(catalog),
    apps: everyApp(['unknown', 'low', ['OFFLINE']]),
    overall: { verdict: 'unknown', confidence: 'low', reasons: ['OFFLINE'], advice: ['CHECK_CONNECTION'] },
    advice: { teams: ['CHECK_CONNECTION'] },
  },
  {
    name: 'captive portal',
    obs: captivePortal(catalog),
    apps: everyApp(['unknown', 'low', ['CAPTIVE_PORTAL']]),
    overall: { verdict: 'unknown', confidence: 'low', reasons: ['CAPTIVE_PORTAL'], advice: ['SIGN_IN_TO_PORTAL'] },
    advice: { signal: ['SIGN_IN_TO_PORTAL'] },
  },
  {
    name: 'UDP blocked, TCP/TLS relays answer',
    obs: udpBlocked(catalog),
    apps: UDP_BLOCKED,
    overall: { verdict: 'degraded', confidence: 'medium', reasons: [UBTF], advice: ['PREFER_AUDIO_ONLY', 'USE_APP_THAT_WORKS'] },
    advice: { facetime: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'], teams: ['PREFER_AUDIO_ONLY'] },
  },
  {
    name: 'STUN deep-packet inspection (QUIC still works)',
    obs: stunDpi(catalog),
    apps: STUN_FILTERED,
    overall: {
      verdict: 'degraded',
      confidence: 'high',
      reasons: [SF, UBTF],
      advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK', 'PREFER_AUDIO_ONLY'],
    },
  },
  {
    name: 'STUN ports 3478 and 19302 blocked, UDP 443 open',
    obs: stunPortsBlocked(catalog),
    apps: STUN_PORTS_BLOCKED,
    overall: { verdict: 'degraded', confidence: 'medium', reasons: [SPB], advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
  },
  {
    name: "one app's names do not resolve (DoH unavailable)",
    obs: dnsNxdomain(catalog, 'viber'),
    apps: { ...OPEN, viber: ['blocked', 'medium', ['DNS_NXDOMAIN']] },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    advice: { viber: ['TRY_OTHER_DNS', 'USE_APP_THAT_WORKS'], zoom: [] },
  },
  {
    name: 'DNS block page for one app',
    obs: dnsBlockPage(catalog, 'whatsapp'),
    apps: { ...OPEN, whatsapp: ['blocked', 'high', ['DNS_TAMPERED']] },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    advice: { whatsapp: ['TRY_OTHER_DNS', 'TRY_VPN', 'USE_APP_THAT_WORKS'] },
  },
  {
    name: 'DNS block page as Chrome sees it (no address with the error): interference, other DNS first',
    obs: dnsBlockPageUnseen(catalog, 'whatsapp'),
    apps: { ...OPEN, whatsapp: ['blocked', 'high', ['TLS_INTERFERENCE']] },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    advice: { whatsapp: ['TRY_OTHER_DNS', 'TRY_VPN', 'TRY_OTHER_NETWORK', 'USE_APP_THAT_WORKS'] },
  },
  {
    name: "one app's IPs dropped",
    obs: appIpsDropped(catalog, 'teams'),
    // Both of Teams' web hosts (teams.microsoft.com, teams.live.com) time out: two silent hosts are strong evidence.
    apps: { ...OPEN, teams: ['blocked', 'high', ['SIGNALLING_UNREACHABLE', 'RELAY_UNREACHABLE']] },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    advice: { teams: ['TRY_VPN', 'USE_APP_THAT_WORKS'] },
  },
  {
    name: "TCP resets on one app's hosts",
    obs: tcpReset(catalog, 'telegram'),
    apps: { ...OPEN, telegram: ['blocked', 'high', ['CONNECTION_RESET']] },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    advice: { telegram: ['TRY_VPN', 'TRY_OTHER_NETWORK', 'USE_APP_THAT_WORKS'] },
  },
  {
    name: 'TLS interference (SNI filter on Signal, MITM certificate on Discord)',
    obs: tlsInterference(catalog),
    apps: {
      ...OPEN,
      signal: ['blocked', 'high', ['TLS_INTERFERENCE']],
      discord: ['blocked', 'high', ['TLS_INTERFERENCE']],
    },
    overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
    // A failed handshake is no DNS matter; a certificate for another name may be.
    advice: { signal: ['TRY_VPN', 'TRY_OTHER_NETWORK', 'USE_APP_THAT_WORKS'], discord: ['TRY_OTHER_DNS', 'TRY_VPN', 'TRY_OTHER_NETWORK', 'USE_APP_THAT_WORKS'] },
  },
  {
    name: 'symmetric NAT is a note, not a failure',
    obs: symmetricNat(catalog),
    apps: OPEN,
    overall: { verdict: 'works', confidence: 'high', reasons: ['SYMMETRIC_NAT'], advice: [] },
  },
  {
    name: 'lossy, jittery link',
    obs: lossyLink(catalog),
    apps: Object.fromEntries(
      Object.entries(OPEN).map(([id, [, confidence, reasons]]) => [id, ['degraded', confidence, ['LOSSY', 'HIGH_JITTER', ...reasons]]]),
    ),
    overall: {
      verdict: 'degraded',
      confidence: 'high',
      reasons: ['LOSSY', 'HIGH_JITTER'],
      advice: ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'],
    },
    advice: { meet: ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'] },
  },
  {
    name: 'only TCP 443 allowed (plain-HTTP control and TURN on port 80 fail too)',
    obs: onlyTcp443(catalog),
    // Signal's TURN over TCP 80 fails but its TLS 443 relay answers: the same degraded call.
    apps: UDP_BLOCKED,
    overall: { verdict: 'degraded', confidence: 'medium', reasons: [UBTF], advice: ['PREFER_AUDIO_ONLY', 'USE_APP_THAT_WORKS'] },
  },
];

function summary(obs: Observations) {
  const result = judge(catalog, obs);
  return { result, rows: Object.fromEntries(result.apps.map((a) => [a.appId, [a.verdict, a.confidence, a.reasons]])) };
}

describe('judge: one scenario per blocking technique, every app asserted', () => {
  it('has an expectation for every app in every scenario', () => {
    for (const c of CASES) expect(Object.keys(c.apps).sort(), c.name).toEqual([...APP_IDS].sort());
  });

  it.each(CASES)('$name', (c) => {
    const { result, rows } = summary(c.obs);
    expect(rows).toEqual(c.apps);
    expect(result.overall).toEqual(c.overall);
    for (const [appId, advice] of Object.entries(c.advice ?? {})) {
      expect(result.apps.find((a) => a.appId === appId)?.advice, appId).toEqual(advice);
    }
    for (const app of result.apps) expect(v.safeParse(AppVerdictSchema, app).success, app.appId).toBe(true);
    expect(v.safeParse(OverallSchema, result.overall).success).toBe(true);
    if (result.quality !== undefined) expect(v.safeParse(QualitySchema, result.quality).success).toBe(true);
  });
});

describe('judge: messaging and calls apart', () => {
  it('a call block leaves messaging reachable', () => {
    const { result } = summary(udpBlocked(catalog));
    const facetime = result.apps.find((a) => a.appId === 'facetime');
    expect(facetime).toMatchObject({ verdict: 'blocked', messaging: 'reachable', calls: 'blocked' });
    expect(result.apps.find((a) => a.appId === 'teams')).toMatchObject({ messaging: 'reachable', calls: 'partial' });
  });

  it('a signalling block leaves the media path judged on its own', () => {
    const { result } = summary(dnsBlockPage(catalog, 'whatsapp'));
    expect(result.apps.find((a) => a.appId === 'whatsapp')).toMatchObject({ messaging: 'blocked', calls: 'reachable' });
  });
});

describe('judge: rules the scenarios do not isolate', () => {
  it('leaves out apps whose targets have not all answered yet', () => {
    const obs = openNetwork(catalog);
    const pending: Observations = {
      ...obs,
      http: obs.http.filter((r) => r.id !== 'whatsapp.register'),
      ice: obs.ice.filter((r) => r.id !== 'teams.relay.tls'),
    };
    const ids = judge(catalog, pending).apps.map((a) => a.appId);
    expect(ids).not.toContain('whatsapp');
    expect(ids).not.toContain('teams');
    expect(ids).toHaveLength(APP_IDS.length - 2);
  });

  it('judges nothing before any result, without claiming anything', () => {
    const result = judge(catalog, { http: [], ice: [], dns: [] });
    expect(result.apps).toEqual([]);
    expect(result.overall).toEqual({ verdict: 'unknown', confidence: 'low', reasons: [], advice: [] });
  });

  it('never calls an app blocked from one failed host when a sibling answers', () => {
    const { rows, result } = summary(failHttp(openNetwork(catalog), ['telegram.dc2'], 'connection_reset'));
    expect(rows.telegram).toEqual(['degraded', 'medium', ['CONNECTION_RESET', 'PARTIAL']]);
    expect(result.apps.find((a) => a.appId === 'telegram')?.messaging).toBe('partial');
  });

  it('says offline for every app even where a probe never ran (the check stops at the gate)', () => {
    // Teams' plain-TCP TURN probe waits for its TLS sibling's second pass, which an offline check never runs.
    const obs = offline(catalog);
    const partial = { ...obs, ice: obs.ice.filter((r) => r.id !== 'teams.relay.tcp') };
    const teams = judge(catalog, partial, { final: true }).apps.find((a) => a.appId === 'teams');
    expect(teams).toMatchObject({ verdict: 'unknown', reasons: ['OFFLINE'] });
    // Not pending while the check runs either: the gate is known once the controls are.
    expect(judge(catalog, partial).apps.find((a) => a.appId === 'teams')?.reasons).toEqual(['OFFLINE']);
  });

  it('reads the OS saying "offline" as offline', () => {
    const obs = failHttp(openNetwork(catalog), () => true, 'network_down');
    expect(judge(catalog, obs).overall.reasons).toEqual(['OFFLINE']);
  });

  it('does not call an allow-list network offline when an app still answers, but trusts nothing in it', () => {
    let obs = failHttp(openNetwork(catalog), (id) => !id.startsWith('botim.'), 'generic_timeout_error');
    obs = silenceIce(obs, () => true);
    const { rows, result } = summary(obs);
    expect(result.overall.reasons).not.toContain('OFFLINE');
    expect(rows.botim?.[1]).toBe('low');
    expect(rows.whatsapp).toEqual(['blocked', 'low', ['SIGNALLING_UNREACHABLE', 'UDP_BLOCKED']]);
    expect(result.overall).toMatchObject({ verdict: 'blocked', confidence: 'low' });
  });

  it('does not mistake one odd control for a captive portal when another answers as expected', () => {
    const obs = answerHttp(openNetwork(catalog), 'control.http.cloudflare', 403);
    expect(judge(catalog, obs).overall).toMatchObject({ verdict: 'works', reasons: [] });
  });

  it('treats another extension or a proxy as local interference, not blocking', () => {
    const obs = failHttp(openNetwork(catalog), idPrefix('messenger'), 'blocked_locally');
    const { rows, result } = summary(obs);
    expect(rows.messenger).toEqual(['unknown', 'low', ['LOCAL_INTERFERENCE']]);
    expect(result.apps.find((a) => a.appId === 'messenger')?.advice).toEqual(['DISABLE_INTERFERING_SOFTWARE']);
    expect(result.overall).toMatchObject({ verdict: 'works', reasons: ['LOCAL_INTERFERENCE'] });
  });

  it('reads a name DoH cannot resolve either as a stale catalog entry, not as blocking', () => {
    let obs = failHttp(openNetwork(catalog), ['viber.web'], 'dns_nxdomain_error');
    obs = withDns(obs, [{ targetId: 'viber.web', host: 'www.viber.com', system: 'nxdomain', doh: 'nxdomain', verdict: 'nxdomain' }]);
    const { rows, result } = summary(obs);
    expect(rows.viber).toEqual(['unknown', 'low', ['DNS_NXDOMAIN', MI]]);
    expect(result.apps.find((a) => a.appId === 'viber')?.advice).toEqual([]);
  });

  it('reads an unexpected untrusted certificate as TLS interference, and Signal answering normally as reachable', () => {
    let obs = failHttp(openNetwork(catalog), ['zoom.web'], 'ssl_unknown_authority');
    obs = answerHttp(obs, 'signal.chat', 200);
    const { rows } = summary(obs);
    expect(rows.zoom).toEqual(['blocked', 'high', ['TLS_INTERFERENCE']]);
    expect(rows.signal).toEqual(OPEN.signal);
  });

  it('accepts Firefox\'s unnamed TLS error as Signal\'s private CA, but not a TLS error Chrome names', () => {
    const signalFails = (rawError: string): Observations => {
      const obs = openNetwork(catalog);
      return {
        ...obs,
        http: obs.http.map((r) =>
          r.id.startsWith('signal.') ? { id: r.id, outcome: 'failed', failure: 'ssl_failed_handshake', rawError, ms: 150 } : r,
        ),
      };
    };
    expect(summary(signalFails("Peer's Certificate issuer is not recognized.")).rows.signal).toEqual(OPEN.signal);
    expect(summary(signalFails('net::ERR_SSL_PROTOCOL_ERROR')).rows.signal).toEqual(['blocked', 'high', ['TLS_INTERFERENCE']]);
  });

  it('does not blame each app for TLS failures the controls share (a wrong clock, blanket interception)', () => {
    const https = (id: string) => !id.startsWith('signal.') && id !== 'control.http.gstatic';
    const { rows, result } = summary(failHttp(openNetwork(catalog), https, 'ssl_invalid_certificate'));
    expect(rows.zoom).toEqual(['blocked', 'low', ['TLS_INTERFERENCE']]);
    expect(result.overall).toMatchObject({ verdict: 'blocked', confidence: 'low', reasons: ['TLS_INTERFERENCE'] });
  });

  it('takes control STUN results from their own probes when the NAT run is missing', () => {
    const obs = udpBlocked(catalog);
    const withoutNat: Observations = { http: obs.http, ice: obs.ice, dns: obs.dns };
    expect(summary(withoutNat).rows).toEqual(UDP_BLOCKED);
  });

  it('does not count a STUN probe that ended with "gathering complete" as silence (no-NAT host)', () => {
    const obs = openNetwork(catalog);
    const noNat: Observations = {
      ...obs,
      ice: obs.ice.map((r) =>
        r.id === 'jitsi.media.stun' ? { ...r, outcome: 'unreachable', evidence: 'gathering-complete', ms: 130 } : r,
      ),
    };
    // No evidence on Jitsi's own UDP: its calls fall back to the generic UDP result.
    expect(summary(noNat).rows.jitsi).toEqual(['works', 'low', []]);
  });

  it('does not count a TURN probe the browser never tried (Firefox skips turns: to an IP address) as a failure', () => {
    // On a UDP-blocked network the TLS relays are what keeps calls possible: a skipped probe must not count as a silent one.
    const obs = udpBlocked(catalog);
    const skipped: Observations = {
      ...obs,
      ice: obs.ice.map((r) => (r.transport === 'tls' ? { ...r, outcome: 'unreachable', evidence: 'gathering-complete', ms: 6 } : r)),
    };
    // Slack's TLS path, tested by its own Chime relay elsewhere, is only inferred here: low confidence. Meet's only
    // server of its own is its unverified TLS relay: without its answer Meet is inferred, as if it had none.
    expect(summary(skipped).rows).toEqual({ ...UDP_BLOCKED, slack: ['degraded', 'low', [UBTF]], meet: ['degraded', 'low', [UBTF, MI]] });
  });

  it('does not suggest another resolver when a DNS check found the name answered as DoH answers it', () => {
    const obs = dnsBlockPageUnseen(catalog, 'whatsapp');
    const cleared = withDns(
      obs,
      obs.http.filter((r) => idPrefix('whatsapp')(r.id)).map((r) => ({ targetId: r.id, host: 'web.whatsapp.com', system: 'public' as const, doh: 'answers' as const, verdict: 'consistent' as const })),
    );
    const advice = (o: Observations) => judge(catalog, o).apps.find((a) => a.appId === 'whatsapp')?.advice;
    expect(advice(obs)).toContain('TRY_OTHER_DNS');
    expect(advice(cleared)).not.toContain('TRY_OTHER_DNS');
  });

  it('takes QUIC evidence from any fetch that went over HTTP/3, not only the control follow-ups', () => {
    const viaApp = withHttp3(udpBlocked(catalog), ['meet.web']);
    expect(summary(viaApp).rows).toEqual(summary(stunDpi(catalog)).rows);
    const noQuic = { ...udpBlocked(catalog), quic: [{ targetId: 'control.http.google', attempts: 4, protocol: 'h2', ms: 900 }] };
    expect(summary(noQuic).rows).toEqual(UDP_BLOCKED);
  });

  it('reports quality with the verdicts', () => {
    const { result } = summary(lossyLink(catalog));
    expect(result.quality).toMatchObject({ rttMs: 80, jitterMs: 45, band: 'fair' });
    expect(result.quality?.lossPct).toBeCloseTo(10, 6);
    expect(summary(udpBlocked(catalog)).result.quality).toBeUndefined();
  });

  it('gives no quality from an RTT probe that measured no median or no jitter (never a made-up "good")', () => {
    const open = openNetwork(catalog);
    const judged = (rtt: Observations['rtt']) => judge(catalog, { ...open, rtt });
    expect(judged({ targetId: 'control.stun.cloudflare', samples: [] }).quality).toBeUndefined();
    expect(judged({ targetId: 'control.stun.cloudflare', samples: [40], medianMs: 40 }).quality).toBeUndefined();
    expect(judged({ targetId: 'control.stun.cloudflare', samples: [40, 42], medianMs: 41, jitterMs: 2 }).quality).toMatchObject({ rttMs: 41, jitterMs: 2 });
  });

  it('is pure: the same observations give the same answer', () => {
    const obs = stunPortsBlocked(catalog);
    expect(judge(catalog, obs)).toEqual(judge(catalog, structuredClone(obs)));
  });

  it('never calls a UDP-only app blocked when only some of its UDP ports are silent', () => {
    const obs = silenceIce(openNetwork(catalog), (r) => udp(r) && r.port === 19302);
    expect(summary(obs).rows.discord).toEqual(['degraded', 'low', [SPB, MI]]);
  });
});

describe('judge: silence counts only when a second pass confirms it', () => {
  it('reads an app whose targets were silent in one pass only as unknown, never blocked', () => {
    const once = summary(unconfirmed(appIpsDropped(catalog, 'teams')));
    expect(once.rows.teams?.[0]).toBe('unknown');
    expect(Object.values(once.rows).some(([verdict]) => verdict === 'blocked')).toBe(false);
    // The same silence, confirmed by the second pass, is a block.
    expect(summary(appIpsDropped(catalog, 'teams')).rows.teams?.[0]).toBe('blocked');
  });

  it('does not read UDP as blocked from one silent pass', () => {
    const once = summary(unconfirmed(udpBlocked(catalog)));
    expect(once.result.overall.reasons).not.toContain('UDP_BLOCKED');
    expect(once.result.overall.reasons).not.toContain('UDP_BLOCKED_TCP_FALLBACK');
    expect(Object.values(once.rows).some(([verdict]) => verdict === 'blocked')).toBe(false);
  });

  it('keeps positive evidence immediate: a reset needs no second pass', () => {
    expect(summary(unconfirmed(tcpReset(catalog, 'signal'))).rows.signal?.[0]).toBe('blocked');
  });
});

describe('judge: measured, or absent', () => {
  it('reports no quality when no RTT sample came back, rather than a perfect score', () => {
    const obs = withRtt(openNetwork(catalog), { targetId: 'control.stun.cloudflare', samples: [] });
    const { result } = summary(obs);
    expect(result.quality).toBeUndefined();
    expect(result.overall.verdict).toBe('works');
  });

  it('notes a slow link when the RTT under the check\'s own load rose far above the idle RTT, and blocks nothing for it', () => {
    const loaded = { targetId: 'control.stun.cloudflare', samples: [620, 700, 680], medianMs: 680, jitterMs: 50 };
    const { result, rows } = summary({ ...openNetwork(catalog), loadedRtt: loaded });
    expect(result.overall.reasons).toContain('SLOW_LINK');
    expect(result.overall.advice).toContain('PREFER_AUDIO_ONLY');
    expect(Object.values(rows).every(([verdict]) => verdict === 'works')).toBe(true);
    // A busy CPU's scatter (up to ~200 ms) is not a slow link.
    const busy = { ...loaded, samples: [150, 240, 200], medianMs: 200 };
    expect(summary({ ...openNetwork(catalog), loadedRtt: busy }).result.overall.reasons).not.toContain('SLOW_LINK');
    // Nor is one sample alone: a stall at the parallel pass's start (lab open-relay on a loaded machine: 312 ms).
    const stall = { targetId: 'control.stun.cloudflare', samples: [312], medianMs: 312 };
    expect(summary({ ...openNetwork(catalog), loadedRtt: stall }).result.overall.reasons).not.toContain('SLOW_LINK');
    const twoQueued = { targetId: 'control.stun.cloudflare', samples: [820, 577], medianMs: 698 };
    expect(summary({ ...openNetwork(catalog), loadedRtt: twoQueued }).result.overall.reasons).toContain('SLOW_LINK');
  });
});

describe('judge: quality on each app\'s own path', () => {
  const teamsRelay = catalog.apps.find((a) => a.id === 'teams')?.media.find((m) => m.url.startsWith('turn:') && !m.url.includes('transport=tcp'));
  if (!teamsRelay) throw new Error('catalog changed: Teams has a turn: UDP relay');
  const path = (lost: number, medianMs: number, samples = [medianMs, medianMs + 2, medianMs - 1]) => ({
    rtt: [{ targetId: teamsRelay.id, samples, medianMs, jitterMs: 2 }],
    loss: [{ targetId: teamsRelay.id, exchanges: 16, answered: 16, sent: 40, lost, ms: 600 }],
  });

  it('marks only the app whose servers lose packets as degraded (LOSSY), the others untouched', () => {
    const { result, rows } = summary({ ...openNetwork(catalog), paths: path(8, 40) });
    const teams = result.apps.find((a) => a.appId === 'teams');
    expect(teams).toMatchObject({ verdict: 'degraded' });
    expect(teams?.reasons).toContain('LOSSY');
    expect(teams?.quality?.lossPct).toBeGreaterThan(5);
    for (const [id, [verdict]] of Object.entries(rows)) if (id !== 'teams') expect(verdict, id).toBe('works');
    expect(result.overall.reasons).not.toContain('LOSSY');
  });

  it('marks a slow path to one app as HIGH_LATENCY on that app only, and never blocks it', () => {
    const { result } = summary({ ...openNetwork(catalog), paths: path(0, 450) });
    expect(result.apps.find((a) => a.appId === 'teams')).toMatchObject({ verdict: 'degraded', reasons: expect.arrayContaining(['HIGH_LATENCY']) });
    expect(result.apps.filter((a) => a.verdict === 'blocked')).toEqual([]);
  });

  it('reads heavy loss as LOSSY on that app when too few RTT samples came back for a quality estimate', () => {
    // 30 % each way fails half the round trips: one RTT sample, no jitter, no quality; the burst still measured the loss.
    const paths = { rtt: [{ targetId: teamsRelay.id, samples: [3], medianMs: 3 }], loss: [{ targetId: teamsRelay.id, exchanges: 16, answered: 14, sent: 58, lost: 31, ms: 900 }] };
    const { result, rows } = summary({ ...openNetwork(catalog), paths });
    const teams = result.apps.find((a) => a.appId === 'teams');
    expect(teams).toMatchObject({ verdict: 'degraded', reasons: expect.arrayContaining(['LOSSY']) });
    expect(teams?.quality).toBeUndefined();
    for (const [id, [verdict]] of Object.entries(rows)) if (id !== 'teams') expect(verdict, id).toBe('works');
    // A clean burst with no RTT is no finding at all.
    const clean = { ...paths, loss: [{ targetId: teamsRelay.id, exchanges: 16, answered: 16, sent: 32, lost: 0, ms: 300 }] };
    expect(summary({ ...openNetwork(catalog), paths: clean }).rows.teams?.[0]).toBe('works');
  });

  it('reads a server silent in both passes that answered part of its loss burst as lossy, never as UDP blocked', () => {
    const jitsiStun = catalog.apps.find((a) => a.id === 'jitsi')?.media.find((m) => m.url.startsWith('stun:'));
    if (!jitsiStun) throw new Error('catalog changed: Jitsi has a stun: server');
    const obs = openNetwork(catalog);
    const silent = obs.ice.map((r) => (r.id === jitsiStun.id ? { ...r, outcome: 'filtered' as const, evidence: 'deadline' as const, failure: 'generic_timeout_error' as const, attempts: 2 } : r));
    const burst = { targetId: jitsiStun.id, exchanges: 32, answered: 27, sent: 58, lost: 31, ms: 990 };
    const heard = summary({ ...obs, ice: silent, paths: { rtt: [], loss: [burst] } });
    const jitsi = heard.result.apps.find((a) => a.appId === 'jitsi');
    expect(jitsi?.verdict).toBe('degraded');
    expect(jitsi?.reasons).toEqual(['LOSSY']);
    // The observation stays as measured.
    expect(silent.find((r) => r.id === jitsiStun.id)?.outcome).toBe('filtered');
    // Without the burst, or with a burst nobody answered, the same silence is evidence.
    const unheard = summary({ ...obs, ice: silent, paths: { rtt: [], loss: [{ ...burst, answered: 0, lost: 64, sent: 64 }] } });
    expect(unheard.result.apps.find((a) => a.appId === 'jitsi')?.reasons).not.toContain('LOSSY');
    expect(unheard.result.apps.find((a) => a.appId === 'jitsi')?.calls).not.toBe('reachable');
  });

  it('reads heavy loss to the control as LOSSY for every app even without an RTT estimate', () => {
    const { result } = summary({ ...openNetwork(catalog), rtt: undefined, loss: { targetId: 'control.stun.cloudflare', exchanges: 64, answered: 60, sent: 100, lost: 30, ms: 900 } });
    expect(result.quality).toBeUndefined();
    expect(result.overall.reasons).toContain('LOSSY');
  });

  it('takes no jitter finding from an app\'s three samples, and gives no app quality where nothing was measured', () => {
    const { result } = summary({ ...openNetwork(catalog), paths: { rtt: [{ targetId: teamsRelay.id, samples: [40, 140, 42], medianMs: 42, jitterMs: 80 }], loss: [] } });
    const teams = result.apps.find((a) => a.appId === 'teams');
    expect(teams?.verdict).toBe('works');
    expect(teams?.quality?.jitterMs).toBe(80);
    expect(result.apps.find((a) => a.appId === 'viber')?.quality).toBeUndefined();
  });
});

describe('judge: once the check is over', () => {
  it('reads an app with a target never probed as unknown with no reason, instead of leaving it out', () => {
    const obs = openNetwork(catalog);
    const partial = { ...obs, http: obs.http.filter((r) => r.id !== 'zoom.web') };
    expect(judge(catalog, partial).apps.find((a) => a.appId === 'zoom')).toBeUndefined();
    expect(judge(catalog, partial, { final: true }).apps.find((a) => a.appId === 'zoom')).toMatchObject({ verdict: 'unknown', reasons: [] });
  });
});
