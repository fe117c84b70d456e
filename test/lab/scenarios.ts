// The lab's scenarios: one named network (router rules, DNS answers, NAT, shaping) each, with the verdicts the real extension must give on it.
import type { Catalog } from '../../src/core/catalog';
import { NET, type AddressPlan } from './address-plan';
import { CALL_SCENARIOS } from './call-scenarios';
import type { DnsConfig } from './lab-services';
import type { Bucket, RouterConfig } from './router';
import { IF } from './topology';
import { exactly, oneAppDegraded, slowLink, type Expectation, type Truth } from './truth';
import { OPEN, OPEN_REFLECTED, STUN_FILTERED, STUN_PORTS_BLOCKED, UDP_BLOCKED, type Row, type Table } from '../support/expected-verdicts';

export type { Expectation, Row, Table, Truth };

export interface Scenario {
  name: string;
  /** One line: what the network does. */
  description: string;
  router(plan: AddressPlan): RouterConfig;
  dns?(plan: AddressPlan): DnsConfig;
  /** What is true for a user on this network: what every check must answer. */
  truth(catalog: Catalog): Truth;
  /**
   * Random loss can, by chance, look smaller than it is in one check. Where statistics say how
   * often, up to `misses` of the runs may give the `miss` answer instead (never a "blocked"); `why`
   * gives the odds.
   */
  chance?: { misses: number; why: string; miss(catalog: Catalog): Truth };
  /**
   * Not yet right in five of five checks with today's engine: left out of the default run (and so of CI) until it
   * is, and run by name (LAB_SCENARIO) or with LAB_SCENARIO=all. The reason says what still goes wrong; issue 12's
   * note tracks it. Never a way to hide a false "blocked": none of these reads one.
   */
  open?: string;
  /**
   * The person allowed the call-test relay: each check's browser has it turned on in its settings with the lab's
   * collector, which mints credentials for the lab's relay and names its reflector, so the check reflects the apps'
   * documented call ports through it (reflection.ts). Without it nothing is sent to the relay.
   */
  relay?: true;
}

const UBTF = 'UDP_BLOCKED_TCP_FALLBACK';
const SPB = 'STUN_PORTS_BLOCKED';

const everyApp = (catalog: Catalog, row: Row): Table => Object.fromEntries(catalog.apps.map((app) => [app.id, row]));

const UDP_BLOCKED_OVERALL: Expectation['overall'] = {
  verdict: 'degraded',
  confidence: 'medium',
  reasons: [UBTF],
  advice: ['PREFER_AUDIO_ONLY', 'USE_APP_THAT_WORKS'],
};

const OPEN_EXPECTATION: Expectation = { apps: OPEN, overall: { verdict: 'works', confidence: 'high', reasons: [], advice: [] } };

/** An app's calls judged blocked from its own call ports, silent through our relay while the relay's port answered. */
const CALL_PORTS_BLOCKED: Row = ['blocked', 'medium', ['CALL_PORTS_BLOCKED', 'MEDIA_REFLECTED']];

/** One app blocked, every other as on the open network (by default without the call-test relay). */
const oneAppBlocked = (appId: string, row: Row, open: Table = OPEN): Expectation => ({
  apps: { ...open, [appId]: row },
  overall: { verdict: 'works', confidence: 'high', reasons: [], advice: ['USE_APP_THAT_WORKS'] },
});

/** The open network's answers with LOSSY added: it makes every app "degraded" and comes before MEDIA_INFERRED (reasons.ts order). */
function openButLossy(): Expectation {
  const apps = Object.fromEntries(Object.entries(OPEN).map(([id, [, confidence, reasons]]): [string, Row] => [id, ['degraded', confidence, ['LOSSY', ...reasons]]]));
  return { apps, overall: { verdict: 'degraded', confidence: 'high', reasons: ['LOSSY'], advice: ['MOVE_CLOSER_TO_WIFI', 'PREFER_AUDIO_ONLY'] } };
}

const plain = (overrides: Partial<RouterConfig> = {}): RouterConfig => ({ nat: 'masquerade', forward: [], prerouting: [], ...overrides });

const set = (items: readonly (string | number)[]): string => `{ ${items.join(', ')} }`;

/** The lab resolver stays reachable in every scenario that keeps DNS (a network's own resolver). */
const ALLOW_DNS = [
  `ip daddr ${NET.dnsIp} meta l4proto { udp, tcp } th dport 53 accept`,
  `ip saddr ${NET.dnsIp} meta l4proto { udp, tcp } th sport 53 accept`,
];

/*
 * Slow links, both from issue 12: a mobile link of 1 Mbit/s down / 512 kbit/s up, and an EDGE-like
 * 256 / 128 kbit/s with a deep queue (600 ms: a packet may wait that long, so the queue holds
 * 19 KB down, 9.6 KB up). Voice needs 30-80 kbit/s: on either, every app can still call.
 */
const SLOW_1M = {
  down: { rate: '1mbit', burst: '32kbit', latency: '400ms' },
  up: { rate: '512kbit', burst: '16kbit', latency: '400ms' },
} as const satisfies { down: Bucket; up: Bucket };
const SLOW_256K = {
  down: { rate: '256kbit', burst: '16kbit', latency: '600ms' },
  up: { rate: '128kbit', burst: '16kbit', latency: '600ms' },
} as const satisfies { down: Bucket; up: Bucket };

/** Real blocks combined with the slow links; none is WhatsApp, so no rule is tuned to one app. */
const TEAMS_DROPPED = (plan: AddressPlan): string[] => [`ip daddr ${set(plan.appAddresses('teams', { exclusiveOnly: true }))} drop`];
/** An SNI-filter-style reset after the ClientHello (see tcp-reset) on Signal's web hosts; its TURN relay is left alone. */
const SIGNAL_RESET = (plan: AddressPlan): string[] => [
  `ip daddr ${set(addressesOf(plan, 'signal', 'web'))} tcp dport 443 ip length > 100 reject with tcp reset`,
];
const VIBER_NXDOMAIN = (plan: AddressPlan): DnsConfig => ({ nxdomain: [...hostsOf(plan, 'viber'), 'dns.google'] });

/** Random loss of `pct` % each way on one app's STUN/TURN addresses (UDP only), from a named set. */
function appLoss(plan: AddressPlan, appId: string, pct: number): RouterConfig {
  const name = `${appId}_media`;
  const addresses = addressesOf(plan, appId, 'ice');
  if (addresses.length === 0) throw new Error(`${appId} has no STUN/TURN host of its own in the catalog`);
  return plain({
    sets: { [name]: addresses },
    forward: [
      `ip daddr @${name} meta l4proto udp numgen random mod 100 < ${pct} counter drop`,
      `ip saddr @${name} meta l4proto udp numgen random mod 100 < ${pct} counter drop`,
    ],
  });
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'open',
    description: 'A healthy network: every host answers, cone NAT.',
    router: () => plain(),
    truth: () => exactly(OPEN_EXPECTATION),
  },
  {
    name: 'offline',
    description: 'Link up, nothing upstream: the router drops everything, DNS included.',
    router: () => plain({ forward: ['drop'] }),
    truth: (catalog) =>
      exactly({
        apps: everyApp(catalog, ['unknown', 'low', ['OFFLINE']]),
        overall: { verdict: 'unknown', confidence: 'low', reasons: ['OFFLINE'], advice: ['CHECK_CONNECTION'] },
      }),
  },
  {
    name: 'captive-portal',
    description: 'Hotel Wi-Fi: TCP 80/443 redirected to a login portal (its own certificate), everything else but DNS dropped.',
    router: () =>
      plain({
        prerouting: [`iifname "${IF.routerLan}" tcp dport { 80, 443 } dnat ip to ${NET.portalIp}`],
        forward: [...ALLOW_DNS, 'ct state established,related accept', `ip daddr ${NET.portalIp} accept`, 'drop'],
      }),
    truth: (catalog) =>
      exactly({
        apps: everyApp(catalog, ['unknown', 'low', ['CAPTIVE_PORTAL']]),
        overall: { verdict: 'unknown', confidence: 'low', reasons: ['CAPTIVE_PORTAL'], advice: ['SIGN_IN_TO_PORTAL'] },
      }),
  },
  {
    name: 'udp-blocked',
    description: 'Every UDP datagram dropped except DNS to the network resolver; TCP untouched.',
    router: () => plain({ forward: [...ALLOW_DNS, 'meta l4proto udp drop'] }),
    truth: () => exactly({ apps: UDP_BLOCKED, overall: UDP_BLOCKED_OVERALL }),
  },
  {
    name: 'tcp443-protocol-filter',
    description:
      "UDP dropped, and TCP 443 passed only when a flow's first data is TLS: a plain TURN Allocate there is dropped, and the client's flows to that address and port with it for 60 s (Iran's protocol filter, on 443 only).",
    router: () =>
      plain({
        declarations: ['set penalty { type ipv4_addr . ipv4_addr . inet_service; flags dynamic,timeout; }'],
        forward: [
          ...ALLOW_DNS,
          'meta l4proto udp drop',
          'ip saddr . ip daddr . tcp dport @penalty drop',
          // The third packet of the client's flow is its first data (SYN, ACK, data); TLS starts with 0x16.
          'tcp dport 443 ct original packets 3 @ih,0,8 != 0x16 add @penalty { ip saddr . ip daddr . tcp dport timeout 60s } drop',
        ],
      }),
    // Teams' plain TURN over TCP 443 trips the filter and closes its relay's 443 for a minute: its TURN/TLS probe
    // there goes first (check-plan.ts) and answers, so Teams falls back to TLS as on a network with UDP blocked. Each
    // run is a fresh browser with the router's penalties forgotten (lab.test.ts): the same browser checking again
    // reads its TLS silence as possibly its own doing (residual.ts; test/unit/residual.test.ts).
    truth: () => exactly({ apps: UDP_BLOCKED, overall: UDP_BLOCKED_OVERALL }),
  },
  {
    name: 'stun-dpi',
    description: 'DPI drops every UDP datagram carrying the STUN magic cookie 0x2112A442 at payload offset 4, on any port.',
    // @th,96,32: the transport header is 8 bytes (64 bits), the cookie follows type and length (32 bits).
    router: () => plain({ forward: ['meta l4proto udp @th,96,32 0x2112a442 drop'] }),
    // QUIC to the HTTP/3 controls still gets through (caddy on UDP 443), so STUN is singled out.
    truth: () =>
      exactly({
        apps: STUN_FILTERED,
        overall: { verdict: 'degraded', confidence: 'high', reasons: ['STUN_FILTERED', UBTF], advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK', 'PREFER_AUDIO_ONLY'] },
      }),
  },
  {
    name: 'stun-ports-blocked',
    description: 'UDP 3478 and 19302 dropped (Turkmenistan-style); UDP 443 still passes.',
    router: () => plain({ forward: ['udp dport { 3478, 19302 } drop'] }),
    truth: () =>
      exactly({
        apps: STUN_PORTS_BLOCKED,
        overall: { verdict: 'degraded', confidence: 'medium', reasons: [SPB], advice: ['USE_APP_THAT_WORKS', 'TRY_OTHER_NETWORK'] },
      }),
  },
  {
    name: 'dns-nxdomain',
    description: "The resolver answers NXDOMAIN for Viber's names, and for the DoH resolver's name (dns.google) too.",
    router: () => plain(),
    dns: VIBER_NXDOMAIN,
    truth: () => exactly(oneAppBlocked('viber', ['blocked', 'medium', ['DNS_NXDOMAIN']])),
  },
  {
    name: 'dns-nxdomain-doh',
    description: "The resolver answers NXDOMAIN for Viber's names while DoH (dns.google) still answers.",
    router: () => plain(),
    dns: (plan) => ({ nxdomain: hostsOf(plan, 'viber') }),
    // DoH has the name: tampering, not a stale catalog.
    truth: () => exactly(oneAppBlocked('viber', ['blocked', 'high', ['DNS_TAMPERED']])),
  },
  {
    name: 'dns-block-page',
    description: "The resolver points WhatsApp's web names at an ISP block page that presents a certificate for another name.",
    router: () => plain(),
    dns: (plan) => ({ override: Object.fromEntries(hostsOf(plan, 'whatsapp', { webOnly: true }).map((name) => [name, NET.blockPageIp])) }),
    // Not DNS_TAMPERED as in the unit fixture: Chrome's webRequest gives no `ip` with an error
    // (browser-behaviour.md §8), so the orchestrator has no address to cross-check with DoH and
    // sees only a certificate for another name, as an interceptor on the path would present.
    // Blocked with high confidence either way; the reason says what a browser can see, and the
    // advice puts the free fix for the common case (another resolver) first.
    truth: () =>
      exactly({
        ...oneAppBlocked('whatsapp', ['blocked', 'high', ['TLS_INTERFERENCE']]),
        appAdvice: { whatsapp: ['TRY_OTHER_DNS', 'TRY_VPN', 'TRY_OTHER_NETWORK', 'USE_APP_THAT_WORKS'] },
      }),
  },
  {
    name: 'app-ips-dropped',
    description: "Every packet to Microsoft Teams' addresses (web and relay) silently dropped.",
    router: (plan) => plain({ forward: TEAMS_DROPPED(plan) }),
    // Both of Teams' web hosts (teams.microsoft.com, teams.live.com) go silent: two hosts make it high.
    truth: () => exactly(oneAppBlocked('teams', ['blocked', 'high', ['SIGNALLING_UNREACHABLE', 'RELAY_UNREACHABLE']])),
  },
  {
    name: 'tcp-reset',
    description: "An SNI-filter-style TCP reset injected after the TLS ClientHello to Telegram's addresses.",
    // A RST answering the SYN would read as "refused"; a filter that reads the ClientHello resets
    // the established connection, which the browser reports as a reset. Any TCP segment with
    // payload (IP length > 100: the bare ACKs are 52 bytes) is the ClientHello.
    router: (plan) =>
      plain({
        forward: [`ip daddr ${set(plan.appAddresses('telegram', { exclusiveOnly: true }))} tcp dport 443 ip length > 100 reject with tcp reset`],
      }),
    truth: () => exactly(oneAppBlocked('telegram', ['blocked', 'high', ['CONNECTION_RESET']])),
  },
  {
    name: 'only-tcp-443',
    description: 'A firewall that lets out only TCP 443 (and DNS to its resolver): no UDP, no plain HTTP, no TURN on TCP 80.',
    router: () =>
      plain({
        forward: [...ALLOW_DNS, `iifname "${IF.routerLan}" tcp dport 443 accept`, `oifname "${IF.routerLan}" tcp sport 443 accept`, 'drop'],
      }),
    // Signal's TURN over TCP 80 fails but its TLS 443 relay answers: the same degraded call.
    truth: () => exactly({ apps: UDP_BLOCKED, overall: UDP_BLOCKED_OVERALL }),
  },
  {
    name: 'symmetric-nat',
    description: 'NAT with a random source port per flow (masquerade random,fully-random): address-dependent mapping.',
    router: () => plain({ nat: 'random-fully' }),
    truth: () => exactly({ apps: OPEN, overall: { verdict: 'works', confidence: 'high', reasons: ['SYMMETRIC_NAT'], advice: [] } }),
  },
  {
    name: 'open-relay',
    description: 'A healthy network, with the call-test relay allowed: apps with no media server of their own are judged from their call ports through it.',
    router: () => plain(),
    relay: true,
    truth: () => exactly({ apps: OPEN_REFLECTED, overall: { verdict: 'works', confidence: 'high', reasons: [], advice: [] } }),
  },
  {
    name: 'telegram-call-ports',
    description: "UDP to Telegram's documented call ports (596-599, 1400) dropped, whatever the address; the call-test relay allowed.",
    // Its own (unverified) call servers on 1400 go silent too: judged as if it had none, from its ports.
    router: () => plain({ forward: ['udp dport { 596-599, 1400 } drop'] }),
    relay: true,
    truth: () => exactly(oneAppBlocked('telegram', CALL_PORTS_BLOCKED, OPEN_REFLECTED)),
  },
  {
    name: 'teamspeak-call-ports',
    description: "UDP to TeamSpeak's voice port (9987) dropped, whatever the address; the call-test relay allowed.",
    router: () => plain({ forward: ['udp dport 9987 drop'] }),
    relay: true,
    truth: () => exactly(oneAppBlocked('teamspeak', CALL_PORTS_BLOCKED, OPEN_REFLECTED)),
  },
  {
    name: 'zoom-call-ports',
    description: "UDP to Zoom's media ports (8801-8810) dropped, whatever the address; its TURN/TLS relay and UDP 3478 untouched; the call-test relay allowed.",
    router: () => plain({ forward: ['udp dport 8801-8810 drop'] }),
    relay: true,
    // Its own server is TURN over TLS only, so its UDP is told by its media ports through the relay: they are
    // dropped, its calls fall back to TCP/TLS. Degraded, never blocked; 3478 answering (other apps' sample, the
    // relay's own port) does not hide it.
    truth: () =>
      exactly({
        apps: { ...OPEN_REFLECTED, zoom: ['degraded', 'low', ['CALL_PORTS_BLOCKED', UBTF, 'MEDIA_REFLECTED']] },
        overall: { verdict: 'works', confidence: 'high', reasons: [], advice: [] },
      }),
  },
  {
    name: 'viber-ports-partial',
    description: "UDP to Viber's own call ports (4244, 5242-5243, 7985, 7987) dropped, UDP 443 left open; the call-test relay allowed.",
    router: () => plain({ forward: ['udp dport { 4244, 5242, 5243, 7985, 7987 } drop'] }),
    relay: true,
    // Viber also documents UDP 443, which still answers through the relay: its calls can go there, so it works.
    truth: () => exactly({ apps: OPEN_REFLECTED, overall: { verdict: 'works', confidence: 'high', reasons: [], advice: [] } }),
  },
  {
    name: 'relay-unreachable',
    description: "Every packet to the call-test relay's address dropped (its collector still answers); the relay allowed.",
    router: () => plain({ forward: [`ip daddr ${NET.callRelayIp} drop`] }),
    relay: true,
    // The relay's own port silent too: its silence on the apps' ports says nothing about them, so every app is
    // judged as without the relay, never "call ports blocked".
    truth: () => exactly(OPEN_EXPECTATION),
  },
  {
    name: 'udp-loss-10',
    open: 'the control burst reads < 5 % in about one check in ten (2026-12-06, after unanswered exchanges counted as a lower bound: 9 right and 1 chance miss in 10 checks; before, 2 of 5), more than its 98.7 % detection rate allows: Chromium delivers many answers between the retransmission windows, and those groups are left out',
    description: 'One UDP datagram in ten dropped at random (nft numgen; DNS spared), both directions.',
    // DNS is exempted by accept rules first: nft 1.0.6 merges `udp sport != 53 udp dport != 53`
    // into one 32-bit compare that drops DNS too.
    router: () => plain({ forward: ['udp dport 53 accept', 'udp sport 53 accept', 'meta l4proto udp numgen random mod 10 == 0 drop'] }),
    truth: () => exactly(openButLossy()),
    // The loss burst (64 Binding exchanges, loss.ts) reads ≥ 5 % at 10 % loss each way in 98.7 % of
    // checks (deadlines.ts). In 5 runs, two or more misses have odds of 0.16 %; one has 6 %.
    chance: {
      misses: 1,
      why: 'the burst reads < 5 % at 10 % loss in 1.3 % of checks: one miss in 5 runs has odds of 6 %, two 0.16 %',
      // A missed control burst leaves what the apps' own path bursts found: some apps LOSSY, none blocked.
      miss: (catalog) => slowLink(catalog),
    },
  },
  {
    name: 'throttled',
    description: 'A 1 Mbit/s token bucket each way (tc tbf, 32 kbit burst, 400 ms queue).',
    router: () => {
      const bucket = { rate: '1mbit', burst: '32kbit', latency: '400ms' };
      return plain({ shape: { down: bucket, up: bucket } });
    },
    // 1 Mbit/s each way carries voice many times over: nothing to report.
    truth: () => exactly({ apps: OPEN, overall: { verdict: 'works', confidence: 'high', reasons: [] } }),
  },
  {
    name: 'slow-1m',
    description: 'A slow mobile link: 1 Mbit/s down, 512 kbit/s up (tc tbf, 400 ms queue).',
    router: () => plain({ shape: SLOW_1M }),
    truth: (catalog) => slowLink(catalog),
  },
  {
    name: 'slow-256k',
    description: 'An EDGE-like link: 256 kbit/s down, 128 kbit/s up, with a deep queue (600 ms).',
    router: () => plain({ shape: SLOW_256K }),
    truth: (catalog) => slowLink(catalog),
  },
  {
    name: 'slow-1m-relay',
    description: 'The 1 Mbit/s / 512 kbit/s link with the call-test relay allowed: its quick call window and reflection add no finding.',
    router: () => plain({ shape: SLOW_1M }),
    relay: true,
    truth: (catalog) => slowLink(catalog),
  },
  {
    name: 'slow-256k-relay',
    description: 'The 256 / 128 kbit/s link with the call-test relay allowed: its quick call window and reflection add no finding.',
    router: () => plain({ shape: SLOW_256K }),
    relay: true,
    truth: (catalog) => slowLink(catalog),
  },
  {
    name: 'slow-1m-teams-dropped',
    description: "The 1 Mbit/s / 512 kbit/s link, and every packet to Teams' addresses silently dropped.",
    router: (plan) => plain({ shape: SLOW_1M, forward: TEAMS_DROPPED(plan) }),
    truth: (catalog) => slowLink(catalog, { appId: 'teams', reasons: ['SIGNALLING_UNREACHABLE', 'RELAY_UNREACHABLE'] }),
  },
  {
    name: 'slow-1m-viber-nxdomain',
    description: "The 1 Mbit/s / 512 kbit/s link, and NXDOMAIN for Viber's names and for dns.google.",
    router: () => plain({ shape: SLOW_1M }),
    dns: VIBER_NXDOMAIN,
    truth: (catalog) => slowLink(catalog, { appId: 'viber', reasons: ['DNS_NXDOMAIN'] }),
  },
  {
    name: 'slow-256k-teams-dropped',
    description: "The 256 / 128 kbit/s link, and every packet to Teams' addresses silently dropped.",
    router: (plan) => plain({ shape: SLOW_256K, forward: TEAMS_DROPPED(plan) }),
    truth: (catalog) => slowLink(catalog, { appId: 'teams', reasons: ['SIGNALLING_UNREACHABLE', 'RELAY_UNREACHABLE'] }),
  },
  {
    name: 'slow-256k-signal-reset',
    description: "The 256 / 128 kbit/s link, and a TCP reset after the ClientHello to Signal's web hosts.",
    router: (plan) => plain({ shape: SLOW_256K, forward: SIGNAL_RESET(plan) }),
    truth: (catalog) => slowLink(catalog, { appId: 'signal', reasons: ['CONNECTION_RESET'] }),
  },
  {
    name: 'jitsi-loss-30',
    description: "30 % of UDP datagrams to and from Jitsi's STUN server dropped at random (nft numgen on a set); nothing else touched.",
    router: (plan) => appLoss(plan, 'jitsi', 30),
    // Half the exchanges fail, half get through: a lossy path, not a blocked one.
    truth: (catalog) => oneAppDegraded(catalog, OPEN, 'jitsi', ['LOSSY']),
  },
  {
    name: 'teams-relay-loss-20',
    description: "20 % of UDP datagrams to and from Teams' relay dropped at random; its web hosts and TCP/TLS untouched.",
    router: (plan) => appLoss(plan, 'teams', 20),
    // 20 %, not 10 %: a per-app burst is 32 STUN transactions (app-quality.ts), which finds 10 % one-way
    // loss in 92 % of checks, so five right checks in a row would fail one lab run in three; at 20 % a
    // burst reads < 5 % in under one check in a thousand (binomial estimate). udp-loss-10 keeps the 10 % case.
    truth: (catalog) => oneAppDegraded(catalog, OPEN, 'teams', ['LOSSY']),
  },
  {
    name: 'teams-throttled',
    description: "Only Teams' addresses (web and relay) limited to 32 kbit/s each way with a 1 s queue (tc htb, classified by an nft set).",
    router: (plan) =>
      plain({
        sets: { teams: plan.appAddresses('teams', { exclusiveOnly: true }) },
        // 32 kbit/s is 4000 bytes/s: a 4000-byte FIFO is a 1 s queue.
        shapeSet: { set: 'teams', down: { rate: '32kbit', queueBytes: 4000 }, up: { rate: '32kbit', queueBytes: 4000 } },
      }),
    // Above a Teams audio call's minimum (10 kbit/s; 58 recommended: learn.microsoft.com/microsoftteams/prepare-network)
    // behind a 1 s queue: a call would be poor, never impossible. A short check sends a few hundred bytes per server,
    // which a rate limit lets through untouched unless the probes fill its queue, so Teams may read works (only the
    // sustained test sees a rate, and it runs through our relay, not Teams'); it must never read unreachable. The
    // confirmation pass gives a silent web host whose sibling answered the longest wait (deadlines.ts partialHttpMs).
    truth: (catalog) => oneAppDegraded(catalog, OPEN, 'teams', ['HIGH_LATENCY', 'LOSSY', 'SLOW_LINK', 'HIGH_JITTER'], { mayWork: true }),
  },
];

/** The addresses of an app's hosts that no other app or control shares: its web hosts, its STUN/TURN hosts, or both. */
function addressesOf(plan: AddressPlan, appId: string, kind: 'web' | 'ice'): string[] {
  return plan.hosts
    .filter((h) => h.apps.length === 1 && h.apps[0] === appId && !h.control && (kind === 'web' ? h.web : h.ice.size > 0))
    .map((h) => h.ip);
}

/** Names of the hosts an app uses that no other app or control shares. */
function hostsOf(plan: AddressPlan, appId: string, options: { webOnly?: boolean } = {}): string[] {
  return plan.hosts.filter((h) => h.apps.length === 1 && h.apps[0] === appId && !h.control && (!options.webOnly || h.web)).map((h) => h.name);
}

/** The scenarios LAB_SCENARIO selects (comma-separated names), all by default; an unknown name is an error. */
export function selectScenarios(selector: string | undefined): readonly Scenario[] {
  if (selector === undefined || selector.trim() === '') return SCENARIOS.filter((s) => s.open === undefined);
  if (selector.trim() === 'all') return SCENARIOS;
  const names = selector.split(',').map((name) => name.trim());
  // The call-test scenarios (call-scenarios.ts) run in their own file; their names select nothing here.
  const unknown = names.filter((name) => !SCENARIOS.some((s) => s.name === name) && !CALL_SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown LAB_SCENARIO ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return SCENARIOS.filter((s) => names.includes(s.name));
}

