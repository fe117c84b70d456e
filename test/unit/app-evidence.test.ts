// The evidence under an app row: its own probes only, each with transport, outcome, time and classification.
import { describe, expect, it } from 'vitest';
import type { HttpTarget } from '../../src/core/catalog';
import type { Observations } from '../../src/core/report';
import { httpOutcome } from '../../src/core/target-outcome';
import { evidenceFor, type AppTargets } from '../../src/popup/app-evidence';
import { sampleReport } from './fixtures/sample-report';

const signal: AppTargets = {
  signalling: [
    { id: 'signal.chat', url: 'https://chat.signal.org/' },
    { id: 'signal.sfu', url: 'https://sfu.voip.signal.org/', expectFailure: 'ssl_unknown_authority' },
  ],
  media: [],
};
const teams: AppTargets = {
  signalling: [{ id: 'teams.web', url: 'https://teams.microsoft.com/' }],
  media: [
    { id: 'teams.relay.udp', url: 'turn:worldaz.relay.teams.microsoft.com:3478?transport=udp' },
    { id: 'teams.relay.tcp', url: 'turn:worldaz.relay.teams.microsoft.com:443?transport=tcp' },
  ],
};

const { observations } = sampleReport();

describe('evidenceFor', () => {
  it('takes only the probes of the app, HTTP first, then DNS, then ICE', () => {
    const items = evidenceFor('signal', signal, observations);
    expect(items.map((item) => `${item.kind}:${item.targetId}`)).toEqual(['http:signal.chat', 'http:signal.sfu', 'dns:signal.chat']);
  });

  it('shows a failed fetch with its classification and time', () => {
    const [chat] = evidenceFor('signal', signal, observations);
    expect(chat).toMatchObject({ via: 'HTTPS', outcome: 'outcome_failed', ok: false, ms: 45, details: [{ code: 'connection_reset' }] });
  });

  it('counts the failure the catalog expects (Signal\'s private CA) as the host answering', () => {
    const sfu = evidenceFor('signal', signal, observations)[1];
    expect(sfu).toMatchObject({ outcome: 'outcome_reachable', ok: true, details: [{ code: 'ssl_unknown_authority' }] });
  });

  it('agrees with the verdict on Firefox\'s unnamed TLS error from Signal\'s private CA, and not on one Chrome names', () => {
    const source = 'https://github.com/ooni/probe-cli/blob/master/internal/experiment/signal/signal.go';
    const signalling: HttpTarget[] = [
      { id: 'signal.chat', url: 'https://chat.signal.org/', expectFailure: 'ssl_unknown_authority', source },
      { id: 'signal.sfu', url: 'https://sfu.voip.signal.org/', expectFailure: 'ssl_unknown_authority', source },
    ];
    const signalFails = (rawError: string): Observations => ({
      ...observations,
      http: signalling.map(({ id }) => ({ id, outcome: 'failed', failure: 'ssl_failed_handshake', rawError, ms: 150 })),
      dns: [],
    });
    const rows = (rawError: string) => {
      const obs = signalFails(rawError);
      return evidenceFor('signal', { signalling, media: [] }, obs).map((item) => {
        const [target, result] = [signalling.find((t) => t.id === item.targetId), obs.http.find((r) => r.id === item.targetId)];
        if (target === undefined || result === undefined) throw new Error(`no probe behind ${item.targetId}`);
        return { targetId: item.targetId, ok: item.ok, outcome: item.outcome, verdictOk: httpOutcome(target, result, undefined).kind === 'ok' };
      });
    };
    expect(rows("Peer's Certificate issuer is not recognized.")).toEqual([
      { targetId: 'signal.chat', ok: true, outcome: 'outcome_reachable', verdictOk: true },
      { targetId: 'signal.sfu', ok: true, outcome: 'outcome_reachable', verdictOk: true },
    ]);
    expect(rows('net::ERR_SSL_PROTOCOL_ERROR')).toEqual([
      { targetId: 'signal.chat', ok: false, outcome: 'outcome_failed', verdictOk: false },
      { targetId: 'signal.sfu', ok: false, outcome: 'outcome_failed', verdictOk: false },
    ]);
  });

  it('marks forged DNS answers as a problem', () => {
    const dns = evidenceFor('signal', signal, observations)[2];
    expect(dns).toMatchObject({ via: 'DNS', outcome: 'dnscheck_dns_tampering', ok: false });
  });

  it('describes ICE probes by scheme, transport and port, with the server\'s error code', () => {
    const items = evidenceFor('teams', teams, observations);
    expect(items).toEqual([
      {
        kind: 'ice',
        targetId: 'teams.relay.udp',
        via: 'TURN/UDP 3478',
        outcome: 'outcome_filtered',
        ok: false,
        ms: 1500,
        details: [{ key: 'evidence_deadline' }, { code: 'generic_timeout_error' }],
      },
      {
        kind: 'ice',
        targetId: 'teams.relay.tcp',
        via: 'TURN/TCP 443',
        outcome: 'outcome_reachable',
        ok: true,
        ms: 80,
        details: [{ key: 'evidence_server_error', substitutions: ['401'] }],
      },
    ]);
  });

  it('finds the probes of an app the catalog does not describe by its id prefix', () => {
    const custom = sampleReport().observations;
    custom.ice.push({ id: 'custom-1.udp', scheme: 'stun', transport: 'udp', port: 3478, outcome: 'reachable', evidence: 'srflx', ms: 20 });
    custom.ice.push({ id: 'custom-10.udp', scheme: 'stun', transport: 'udp', port: 3478, outcome: 'reachable', evidence: 'srflx', ms: 20 });
    expect(evidenceFor('custom-1', undefined, custom).map((item) => item.targetId)).toEqual(['custom-1.udp']);
  });

  it('gives nothing for an app whose media verdict was inferred from generic probes', () => {
    expect(evidenceFor('viber', { signalling: [{ id: 'viber.web', url: 'https://www.viber.com/' }], media: [] }, observations)).toEqual([]);
  });
});
