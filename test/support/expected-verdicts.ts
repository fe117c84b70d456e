// Expected per-app verdicts shared by the unit fixtures (test/unit/verdict.test.ts) and the lab (test/lab/scenarios.ts): one truth per network.
import type { Confidence } from '../../src/core/catalog';
import type { Reason, Verdict } from '../../src/core/report';

export type Row = readonly [Verdict, Confidence, readonly Reason[]];
export type Table = Readonly<Record<string, Row>>;

const MI = 'MEDIA_INFERRED';
const UBTF = 'UDP_BLOCKED_TCP_FALLBACK';
const SPB = 'STUN_PORTS_BLOCKED';
const SF = 'STUN_FILTERED';

/** A healthy network: every app works; apps without media probes of their own are inferred (low confidence). */
export const OPEN: Table = {
  whatsapp: ['works', 'low', []],
  messenger: ['works', 'medium', []],
  viber: ['works', 'low', [MI]],
  teams: ['works', 'medium', []],
  facetime: ['works', 'low', [MI]],
  meet: ['works', 'medium', []],
  tango: ['works', 'low', [MI]],
  imo: ['works', 'low', [MI]],
  teamspeak: ['works', 'low', [MI]],
  telegram: ['works', 'low', [MI]],
  signal: ['works', 'medium', []],
  zoom: ['works', 'low', [MI]],
  discord: ['works', 'low', [MI]],
  botim: ['works', 'low', [MI]],
  slack: ['works', 'low', [MI]],
  jitsi: ['works', 'high', []],
};

/** No UDP answers anywhere, TURN over TCP/TLS does: apps with a TCP/TLS fallback degrade, UDP-only apps are blocked. */
export const UDP_BLOCKED: Table = {
  whatsapp: ['degraded', 'low', [UBTF]],
  messenger: ['degraded', 'low', [UBTF]], // its TCP/TLS fallback is inferred from other vendors' TURN
  viber: ['degraded', 'low', [UBTF, MI]],
  teams: ['degraded', 'medium', [UBTF]], // its own TURN over TCP answered
  facetime: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  meet: ['degraded', 'low', [UBTF]],
  tango: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  imo: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  teamspeak: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  telegram: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  signal: ['degraded', 'medium', [UBTF]],
  zoom: ['degraded', 'low', [UBTF, MI]],
  discord: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  botim: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  slack: ['degraded', 'low', [UBTF, MI]],
  jitsi: ['degraded', 'low', [UBTF]],
};

/** UDP 3478 and 19302 silent while UDP 443 answers: apps on those ports fall back or degrade; none is "blocked". */
export const STUN_PORTS_BLOCKED: Table = {
  whatsapp: ['degraded', 'low', [SPB, UBTF]],
  messenger: ['degraded', 'low', [SPB, UBTF]],
  viber: ['works', 'low', [MI]], // its UDP ports (5242, 9785) were not among the silent ones
  teams: ['degraded', 'medium', [SPB, UBTF]],
  facetime: ['degraded', 'low', [SPB, MI]], // 3478 silent, its 16384+ ports untested: never "blocked"
  meet: ['degraded', 'low', [SPB, UBTF]],
  tango: ['works', 'low', [MI]],
  imo: ['works', 'low', [MI]],
  teamspeak: ['works', 'low', [MI]],
  telegram: ['works', 'low', [MI]],
  signal: ['degraded', 'medium', [SPB, UBTF]],
  zoom: ['degraded', 'low', [SPB, MI]],
  discord: ['degraded', 'low', [SPB, MI]],
  botim: ['works', 'low', [MI]],
  slack: ['degraded', 'low', [SPB, MI]],
  jitsi: ['works', 'high', []], // its own relay answers on UDP 443
};

/** STUN dropped by DPI on every port while QUIC (UDP 443) gets through: STUN is singled out; relays over TCP/TLS still carry calls. */
export const STUN_FILTERED: Table = {
  whatsapp: ['degraded', 'low', [SF, UBTF]],
  messenger: ['degraded', 'low', [SF, UBTF]],
  viber: ['degraded', 'low', [SF, MI]],
  teams: ['degraded', 'medium', [SF, UBTF]],
  facetime: ['unknown', 'low', [SF, MI]], // its own UDP protocol may or may not be STUN
  meet: ['degraded', 'low', [SF, UBTF]],
  tango: ['unknown', 'low', [SF, MI]],
  imo: ['unknown', 'low', [SF, MI]],
  teamspeak: ['unknown', 'low', [SF, MI]],
  telegram: ['unknown', 'low', [SF, MI]],
  signal: ['degraded', 'medium', [SF, UBTF]],
  zoom: ['degraded', 'low', [SF, MI]],
  discord: ['unknown', 'low', [SF, MI]],
  botim: ['unknown', 'low', [SF, MI]],
  slack: ['degraded', 'low', [SF, MI]],
  jitsi: ['degraded', 'low', [SF, UBTF]],
};
