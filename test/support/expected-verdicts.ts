// Expected per-app verdicts shared by the unit fixtures (test/unit/verdict.test.ts) and the lab (test/lab/scenarios.ts): one truth per network.
import type { Confidence } from '../../src/core/catalog';
import type { Reason } from '../../src/core/reasons';
import type { Verdict } from '../../src/core/report';

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
  meet: ['works', 'low', []], // its unverified TURN/TLS answered (its own); its UDP is control.stun.google's server, inferred
  tango: ['works', 'low', [MI]],
  imo: ['works', 'low', [MI]],
  teamspeak: ['works', 'low', [MI]],
  telegram: ['works', 'medium', []], // its unverified call servers answered: at most medium
  signal: ['works', 'low', [MI]], // Cloudflare's TURN is the control's service (sharedWith)
  zoom: ['works', 'low', []], // its TURN/TLS relay is its own; its preferred UDP is still inferred
  discord: ['works', 'low', [MI]],
  botim: ['works', 'low', [MI]],
  slack: ['works', 'medium', []], // Chime's TURN over UDP answered
  jitsi: ['works', 'high', []],
};

const MR = 'MEDIA_REFLECTED';

/**
 * A healthy network with the call-test relay allowed: the apps with documented call ports and no media server of
 * their own over UDP are judged from those ports through the relay's reflector (medium) instead of inferred (low).
 */
export const OPEN_REFLECTED: Table = {
  ...OPEN,
  viber: ['works', 'medium', [MR]],
  facetime: ['works', 'medium', [MR]],
  meet: ['works', 'medium', [MR]], // its UDP from its ports 3478 and 19302; its unverified TURN/TLS answered too
  teamspeak: ['works', 'medium', [MR]],
  telegram: ['works', 'medium', []], // its own (unverified) call servers answered: they come before reflection
  signal: ['works', 'medium', [MR]], // Cloudflare's TURN is shared with a control: its own ports decide
  zoom: ['works', 'medium', [MR]], // its TURN/TLS relay is its own, its UDP told by its media ports 8801-8802
  discord: ['works', 'medium', [MR]],
};

/** No UDP answers anywhere, TURN over TCP/TLS does: apps with a TCP/TLS fallback degrade, UDP-only apps are blocked. */
export const UDP_BLOCKED: Table = {
  whatsapp: ['degraded', 'low', [UBTF]],
  messenger: ['degraded', 'low', [UBTF]], // its TCP/TLS fallback is inferred from other vendors' TURN
  viber: ['degraded', 'low', [UBTF, MI]],
  teams: ['degraded', 'medium', [UBTF]], // its own TURN over TCP answered
  facetime: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  meet: ['degraded', 'low', [UBTF]], // its unverified TURN/TLS answered; UDP and TCP inferred
  tango: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  imo: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  teamspeak: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  telegram: ['blocked', 'low', ['UDP_BLOCKED', MI]], // its call servers' silence is no evidence: judged from UDP as a whole
  signal: ['degraded', 'low', [UBTF, MI]], // Cloudflare's TURN answered over TCP/TLS, but it is shared evidence
  zoom: ['degraded', 'low', [UBTF]], // its own TURN/TLS answered; its UDP failure is inferred
  discord: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  botim: ['blocked', 'low', ['UDP_BLOCKED', MI]],
  slack: ['degraded', 'medium', [UBTF]], // Chime's TURN: UDP silent, TLS answered
  jitsi: ['degraded', 'low', [UBTF]],
};

/** UDP 3478 and 19302 silent while UDP 443 answers: apps on those ports fall back or degrade; none is "blocked". */
export const STUN_PORTS_BLOCKED: Table = {
  whatsapp: ['degraded', 'low', [SPB, UBTF]],
  messenger: ['degraded', 'low', [SPB, UBTF]],
  viber: ['works', 'low', [MI]], // its UDP ports (7985, 7987, 5242, 5243, 4244, 443) were not among the silent ones
  teams: ['degraded', 'medium', [SPB, UBTF]],
  facetime: ['degraded', 'low', [SPB, MI]], // 3478 silent, its 16384+ ports untested: never "blocked"
  meet: ['degraded', 'low', [SPB]], // UDP judged from its ports (control.stun.google's server is not Meet's own); its TLS relay answered
  tango: ['works', 'low', [MI]],
  imo: ['works', 'low', [MI]],
  teamspeak: ['works', 'low', [MI]],
  telegram: ['works', 'medium', []], // its call servers on UDP 1400 answer
  signal: ['degraded', 'low', [SPB, MI]],
  zoom: ['degraded', 'low', [SPB]],
  discord: ['degraded', 'low', [SPB, MI]],
  botim: ['works', 'low', [MI]],
  slack: ['degraded', 'medium', [SPB, UBTF]], // Chime's TURN on UDP 3478 silent, over TLS 443 it answers
  jitsi: ['works', 'high', []], // its own relay answers on UDP 443
};

/** STUN dropped by DPI on every port while QUIC (UDP 443) gets through: STUN is singled out; relays over TCP/TLS still carry calls. */
export const STUN_FILTERED: Table = {
  whatsapp: ['degraded', 'low', [SF, UBTF]],
  messenger: ['degraded', 'low', [SF, UBTF]],
  viber: ['degraded', 'low', [SF, MI]],
  teams: ['degraded', 'medium', [SF, UBTF]],
  facetime: ['unknown', 'low', [SF, MI]], // its own UDP protocol may or may not be STUN
  meet: ['degraded', 'low', [SF]],
  tango: ['unknown', 'low', [SF, MI]],
  imo: ['unknown', 'low', [SF, MI]],
  teamspeak: ['unknown', 'low', [SF, MI]],
  telegram: ['unknown', 'low', [SF, MI]], // its silent call servers are no evidence
  signal: ['degraded', 'low', [SF, MI]],
  zoom: ['degraded', 'low', [SF]],
  discord: ['unknown', 'low', [SF, MI]],
  botim: ['unknown', 'low', [SF, MI]],
  slack: ['degraded', 'medium', [SF, UBTF]],
  jitsi: ['degraded', 'low', [SF, UBTF]],
};
