// Every verdict reason code in one table, most important first: what it means, what kind of finding it is, and the advice it implies.
import * as v from 'valibot';
import type { Confidence } from './catalog';

/** What a user can try. Each has an `advice_*` message in every locale. */
export const ADVICE = [
  'TRY_VPN',
  'TRY_OTHER_DNS',
  'TRY_OTHER_NETWORK',
  'USE_APP_THAT_WORKS',
  'SIGN_IN_TO_PORTAL',
  'CHECK_CONNECTION',
  'DISABLE_INTERFERING_SOFTWARE',
  'MOVE_CLOSER_TO_WIFI',
  'PREFER_AUDIO_ONLY',
] as const;
export const AdviceSchema = v.picklist(ADVICE);
export type Advice = v.InferOutput<typeof AdviceSchema>;

/**
 * cause: something this network (or, for the gates, the whole connection) does to the app.
 * quality: the path works but calls may sound poor; a verdict degraded only by these is "degraded by quality".
 * note: not a finding about the network's path (how the verdict was reached, or something on this device):
 *       it never makes a verdict worse on its own.
 */
export type ReasonKind = 'cause' | 'quality' | 'note';

interface ReasonInfo {
  kind: ReasonKind;
  /** What a user can try, most useful first; empty where nothing they can do would help. */
  advice: readonly Advice[];
}

/**
 * The table's written order is the order reasons are reported in (string keys keep their insertion order).
 * Adding a reason is one entry here and its `reason_*` message in each locale (the compiler asks for the English
 * one, test/unit/locales.test.ts for the others). Advice: a VPN moves the vantage point past the network's
 * filters; other DNS only helps against DNS blocking; TCP/TLS fallback and loss are eased by sending less (audio only).
 */
const REASON_TABLE = {
  /** Every control (HTTP and STUN) failed: no Internet, so nothing can be judged. */
  OFFLINE: { kind: 'cause', advice: ['CHECK_CONNECTION'] },
  /**
   * A control answered in the server's place (wrong status, or a certificate for another name): sign in to the
   * Wi-Fi first; nothing else can be judged.
   */
  CAPTIVE_PORTAL: { kind: 'cause', advice: ['SIGN_IN_TO_PORTAL'] },
  /**
   * The browser, another extension, a policy or a proxy stopped a probe on this device (blocked_locally,
   * proxy_failure): not the network.
   */
  LOCAL_INTERFERENCE: { kind: 'note', advice: ['DISABLE_INTERFERING_SOFTWARE'] },
  /**
   * The name resolved to a bogon or nowhere while DoH has a real answer (DnsCheck 'dns_tampering'), and the target
   * did not prove itself with a valid certificate: DNS blocking, often to a block page.
   */
  DNS_TAMPERED: { kind: 'cause', advice: ['TRY_OTHER_DNS', 'TRY_VPN'] },
  /**
   * An ssl_* failure other than the one the catalog expects (Signal's private CA): SNI filtering, a
   * TLS-intercepting middlebox, or (on controls) a wrong clock.
   */
  TLS_INTERFERENCE: { kind: 'cause', advice: ['TRY_VPN', 'TRY_OTHER_NETWORK'] },
  /** The connection was cut after it was set up (reset, closed, aborted): typical of injected RSTs after a filtered ClientHello. */
  CONNECTION_RESET: { kind: 'cause', advice: ['TRY_VPN', 'TRY_OTHER_NETWORK'] },
  /**
   * The browser's resolver could not resolve the name and DoH could not confirm either way; or (with an unknown
   * verdict) DoH agrees the name is gone, which is a stale catalog, not blocking.
   */
  DNS_NXDOMAIN: { kind: 'cause', advice: ['TRY_OTHER_DNS'] },
  /** The app's web/signalling hosts time out, refuse or are unreachable while the controls answer: IP blocking or an outage. */
  SIGNALLING_UNREACHABLE: { kind: 'cause', advice: ['TRY_VPN', 'USE_APP_THAT_WORKS'] },
  /** The app's own media relays/STUN fail on every transport while generic UDP works: its media servers are blocked (or down). */
  RELAY_UNREACHABLE: { kind: 'cause', advice: ['TRY_VPN', 'USE_APP_THAT_WORKS'] },
  /**
   * No STUN/TURN over UDP answered on any port or operator and nothing shows other UDP working; the app needs UDP.
   * A browser cannot tell a blanket UDP block from STUN filtering without QUIC evidence (see STUN_FILTERED).
   */
  UDP_BLOCKED: { kind: 'cause', advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
  /**
   * No STUN answered anywhere, yet QUIC (HTTP/3, UDP 443) worked: STUN itself is singled out, typically by DPI.
   * Apps with their own UDP protocol may still work.
   */
  STUN_FILTERED: { kind: 'cause', advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
  /**
   * Some UDP ports stay silent while another port answers (Turkmenistan-style port blocking). With one control
   * per port, a blocked server looks the same.
   */
  STUN_PORTS_BLOCKED: { kind: 'cause', advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
  /**
   * The app has no media server of its own, and STUN to our relay on its documented UDP call ports stayed silent
   * in both passes while the relay's own port answered: this network drops UDP to those ports (medium confidence:
   * a censor may treat our relay's address differently from the app's servers).
   */
  CALL_PORTS_BLOCKED: { kind: 'cause', advice: ['TRY_VPN', 'USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
  /** The app's UDP media path fails but its TCP/TLS path answers: calls should connect over TCP/TLS, usually with more delay. */
  UDP_BLOCKED_TCP_FALLBACK: { kind: 'cause', advice: ['PREFER_AUDIO_ONLY'] },
  /** Measured loss ≥ 5 %. */
  LOSSY: { kind: 'quality', advice: ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'] },
  /** RTT ≥ 300 ms. */
  HIGH_LATENCY: { kind: 'quality', advice: ['PREFER_AUDIO_ONLY', 'TRY_OTHER_NETWORK'] },
  /** Jitter > 30 ms. */
  HIGH_JITTER: { kind: 'quality', advice: ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'] },
  /**
   * The check's own traffic (a few dozen connections at once) queued the link: RTT to a control under that load
   * rose far above the idle RTT. Voice needs 30-80 kbit/s and usually fits; video and many parallel downloads may
   * not. A finding about the connection, never a block: silence seen under that load was probed again before it counted.
   */
  SLOW_LINK: { kind: 'quality', advice: ['PREFER_AUDIO_ONLY'] },
  /**
   * Some of the app's hosts fail while siblings answer: never read as "blocked" (endpoint churn), but partial
   * blocks do break apps (Telegram, Brazil 2023).
   */
  PARTIAL: { kind: 'cause', advice: [] },
  /** Address-dependent NAT mapping: calls are likely relayed. A note, not a failure. */
  SYMMETRIC_NAT: { kind: 'note', advice: [] },
  /**
   * The app has no probe-able media server of its own: its call verdict is inferred from generic UDP/TCP results,
   * hence low confidence.
   */
  MEDIA_INFERRED: { kind: 'note', advice: [] },
  /**
   * The app has no probe-able media server of its own: its UDP calls were judged from its documented call ports
   * through our relay's reflector, hence medium confidence.
   */
  MEDIA_REFLECTED: { kind: 'note', advice: [] },
} satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASON_TABLE;

/** Every reason code, most important first. */
export const REASONS = Object.keys(REASON_TABLE) as readonly Reason[];
export const ReasonSchema = v.picklist(REASONS);

export function reasonKind(reason: Reason): ReasonKind {
  return REASON_TABLE[reason].kind;
}

/** Deduplicates and orders reasons, most important first. */
export function orderReasons(reasons: Iterable<Reason>): Reason[] {
  const present = new Set(reasons);
  return REASONS.filter((reason) => present.has(reason));
}

/** Advice for ordered reasons, in the order of the reasons that call for it, without repeats. */
export function adviceForReasons(reasons: readonly Reason[]): Advice[] {
  return [...new Set(reasons.flatMap((reason) => REASON_TABLE[reason].advice))];
}

const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

export function minConfidence(...values: readonly Confidence[]): Confidence {
  return values.reduce<Confidence>((a, b) => (CONFIDENCE_RANK[b] < CONFIDENCE_RANK[a] ? b : a), 'high');
}

export function maxConfidence(...values: readonly Confidence[]): Confidence {
  return values.reduce<Confidence>((a, b) => (CONFIDENCE_RANK[b] > CONFIDENCE_RANK[a] ? b : a), 'low');
}
