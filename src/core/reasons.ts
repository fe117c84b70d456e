// What each verdict reason code means, their order of importance, and the advice each one implies.
import type { Confidence } from './catalog';
import type { Advice, Reason } from './report';

/*
 * Reason codes, most important first (the order reasons are reported in):
 *
 * OFFLINE                   every control (HTTP and STUN) failed: no Internet, so nothing can be judged.
 * CAPTIVE_PORTAL            a control answered in the server's place (wrong status, or a certificate for
 *                           another name): sign in to the Wi-Fi first; nothing else can be judged.
 * LOCAL_INTERFERENCE        the browser, another extension, a policy or a proxy stopped a probe on this
 *                           device (blocked_locally, proxy_failure): not the network.
 * DNS_TAMPERED              the name resolved to a bogon or nowhere while DoH has a real answer
 *                           (DnsCheck 'dns_tampering'), and the target did not prove itself with a valid
 *                           certificate: DNS blocking, often to a block page.
 * TLS_INTERFERENCE          an ssl_* failure other than the one the catalog expects (Signal's private CA):
 *                           SNI filtering, a TLS-intercepting middlebox, or (on controls) a wrong clock.
 * CONNECTION_RESET          the connection was cut after it was set up (reset, closed, aborted): typical
 *                           of injected RSTs after a filtered ClientHello.
 * DNS_NXDOMAIN              the browser's resolver could not resolve the name and DoH could not confirm
 *                           either way; or (with an unknown verdict) DoH agrees the name is gone, which
 *                           is a stale catalog, not blocking.
 * SIGNALLING_UNREACHABLE    the app's web/signalling hosts time out, refuse or are unreachable while the
 *                           controls answer: IP blocking or an outage.
 * RELAY_UNREACHABLE         the app's own media relays/STUN fail on every transport while generic UDP
 *                           works: the app's media servers are blocked (or down).
 * UDP_BLOCKED               no STUN/TURN over UDP answered on any port or operator and nothing shows other
 *                           UDP working; the app needs UDP. A browser cannot tell a blanket UDP block from
 *                           STUN filtering without QUIC evidence (see STUN_FILTERED).
 * STUN_FILTERED             no STUN answered anywhere, yet QUIC (HTTP/3, UDP 443) worked: STUN itself is
 *                           singled out, typically by DPI. Apps with their own UDP protocol may still work.
 * STUN_PORTS_BLOCKED        some UDP ports stay silent while another port answers (Turkmenistan-style port
 *                           blocking). With one control per port, a blocked server looks the same.
 * CALL_PORTS_BLOCKED        the app has no media server of its own, and STUN to our relay on its documented
 *                           UDP call ports stayed silent in both passes while the relay's own port answered:
 *                           this network drops UDP to those ports (medium confidence: a censor may treat our
 *                           relay's address differently from the app's servers).
 * UDP_BLOCKED_TCP_FALLBACK  the app's UDP media path fails but its TCP/TLS path answers: calls should
 *                           connect over TCP/TLS, usually with more delay.
 * LOSSY                     measured loss ≥ 5 %.
 * HIGH_LATENCY              RTT ≥ 300 ms.
 * HIGH_JITTER               jitter > 30 ms.
 * SLOW_LINK                 the check's own traffic (a few dozen connections at once) queued the link: RTT to a
 *                           control under that load rose far above the idle RTT. Voice needs 30-80 kbit/s and
 *                           usually fits; video and many parallel downloads may not. A note on the connection,
 *                           never a block: silence seen under that load was probed again before it counted.
 * PARTIAL                   some of the app's hosts fail while siblings answer: never read as "blocked"
 *                           (endpoint churn), but partial blocks do break apps (Telegram, Brazil 2023).
 * SYMMETRIC_NAT             address-dependent NAT mapping: calls are likely relayed. A note, not a failure.
 * MEDIA_INFERRED            the app has no probe-able media server of its own: its call verdict is
 *                           inferred from generic UDP/TCP results, hence low confidence.
 * MEDIA_REFLECTED           the app has no probe-able media server of its own: its UDP calls were judged from its
 *                           documented call ports through our relay's reflector, hence medium confidence.
 * APP_RETIRED               reserved for catalog entries of retired apps; the engine does not emit it
 *                           (the Skype retirement is a note on Teams via its catalog noteKey).
 */
export const REASON_ORDER: readonly Reason[] = [
  'OFFLINE',
  'CAPTIVE_PORTAL',
  'LOCAL_INTERFERENCE',
  'DNS_TAMPERED',
  'TLS_INTERFERENCE',
  'CONNECTION_RESET',
  'DNS_NXDOMAIN',
  'SIGNALLING_UNREACHABLE',
  'RELAY_UNREACHABLE',
  'UDP_BLOCKED',
  'STUN_FILTERED',
  'STUN_PORTS_BLOCKED',
  'CALL_PORTS_BLOCKED',
  'UDP_BLOCKED_TCP_FALLBACK',
  'LOSSY',
  'HIGH_LATENCY',
  'HIGH_JITTER',
  'SLOW_LINK',
  'PARTIAL',
  'SYMMETRIC_NAT',
  'MEDIA_INFERRED',
  'MEDIA_REFLECTED',
  'APP_RETIRED',
];

/** Deduplicates and orders reasons, most important first. */
export function orderReasons(reasons: Iterable<Reason>): Reason[] {
  const present = new Set(reasons);
  return REASON_ORDER.filter((reason) => present.has(reason));
}

/**
 * What a user can try for each reason. Empty for notes. A VPN moves the vantage point past the
 * network's filters; other DNS only helps against DNS blocking; TCP/TLS fallback and loss are
 * eased by sending less (audio only).
 */
function adviceFor(reason: Reason): readonly Advice[] {
  switch (reason) {
    case 'OFFLINE':
      return ['CHECK_CONNECTION'];
    case 'CAPTIVE_PORTAL':
      return ['SIGN_IN_TO_PORTAL'];
    case 'LOCAL_INTERFERENCE':
      return ['DISABLE_INTERFERING_SOFTWARE'];
    case 'DNS_TAMPERED':
      return ['TRY_OTHER_DNS', 'TRY_VPN'];
    case 'DNS_NXDOMAIN':
      return ['TRY_OTHER_DNS'];
    case 'TLS_INTERFERENCE':
    case 'CONNECTION_RESET':
      return ['TRY_VPN', 'TRY_OTHER_NETWORK'];
    case 'SIGNALLING_UNREACHABLE':
    case 'RELAY_UNREACHABLE':
      return ['TRY_VPN', 'USE_APP_THAT_WORKS'];
    case 'UDP_BLOCKED':
    case 'STUN_FILTERED':
    case 'STUN_PORTS_BLOCKED':
      return ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'];
    case 'CALL_PORTS_BLOCKED':
      return ['TRY_VPN', 'USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'];
    case 'UDP_BLOCKED_TCP_FALLBACK':
      return ['PREFER_AUDIO_ONLY'];
    case 'LOSSY':
    case 'HIGH_JITTER':
      return ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'];
    case 'HIGH_LATENCY':
      return ['PREFER_AUDIO_ONLY', 'TRY_OTHER_NETWORK'];
    case 'SLOW_LINK':
      return ['PREFER_AUDIO_ONLY'];
    case 'PARTIAL':
    case 'SYMMETRIC_NAT':
    case 'MEDIA_INFERRED':
    case 'MEDIA_REFLECTED':
    case 'APP_RETIRED':
      return [];
    default: {
      const unreachable: never = reason;
      return unreachable;
    }
  }
}

/** Advice for ordered reasons, in the order of the reasons that call for it, without repeats. */
export function adviceForReasons(reasons: readonly Reason[]): Advice[] {
  return [...new Set(reasons.flatMap(adviceFor))];
}

const CONFIDENCE_RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

export function minConfidence(...values: readonly Confidence[]): Confidence {
  return values.reduce<Confidence>((a, b) => (CONFIDENCE_RANK[b] < CONFIDENCE_RANK[a] ? b : a), 'high');
}

export function maxConfidence(...values: readonly Confidence[]): Confidence {
  return values.reduce<Confidence>((a, b) => (CONFIDENCE_RANK[b] > CONFIDENCE_RANK[a] ? b : a), 'low');
}
