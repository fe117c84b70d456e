// The lab's call-test scenarios: what a censor does to a call once it is up (cut after seconds or bytes, police, drop
// at random), applied to the flows to our relay, with the outcome the sustained call test must name.
import type { CallTestOutcome } from '../../src/core/call-test';
import type { CallTest } from '../../src/core/call-test-result';
import { NET } from './address-plan';
import type { RouterConfig } from './router';

export interface CallScenario {
  name: string;
  description: string;
  router(): RouterConfig;
  /** What is wrong with a result on this network; empty when right. */
  judge(outcome: CallTestOutcome, test: CallTest): string[];
}

const RELAY = NET.callRelayIp;
/** The client's flows to the relay, before the router's NAT (the forward chain sees the client's own address and port). */
const TO_RELAY = `ip daddr ${RELAY} udp dport 3478`;
const FROM_RELAY = `ip saddr ${RELAY} udp sport 3478`;

const plain = (overrides: Partial<RouterConfig> = {}): RouterConfig => ({ nat: 'masquerade', forward: [], prerouting: [], ...overrides });

function expectKind(outcome: CallTestOutcome, kind: CallTestOutcome['kind']): string[] {
  return outcome.kind === kind ? [] : [`read ${JSON.stringify(outcome)}, expected ${kind}`];
}

function within(what: string, value: number | undefined, min: number, max: number): string[] {
  return value !== undefined && value >= min && value <= max ? [] : [`${what} ${String(value)}, expected ${min}-${max}`];
}

/** Both directions' loss: each crosses the uplink once and the downlink once, so both carry a loss on either. */
function bothLost(test: CallTest, min: number, max: number): string[] {
  return [...within('outgoing loss %', test.outgoing?.lossPct, min, max), ...within('incoming loss %', test.incoming?.lossPct, min, max)];
}

export const CALL_SCENARIOS: readonly CallScenario[] = [
  {
    name: 'call-open',
    description: 'Nothing in the way: the call path to our relay stays up, nothing lost.',
    router: () => plain(),
    judge: (outcome, test) => [...expectKind(outcome, 'stays-up'), ...bothLost(test, 0, 2), ...(test.transport === 'udp' ? [] : [`transport ${String(test.transport)}`])],
  },
  {
    name: 'call-cut-5s',
    description: 'Each UDP flow to the relay silently dropped, both ways, from 5 s after its first packet (an nft set of flows with a 5 s timeout).',
    router: () =>
      plain({
        declarations: ['set callflows { type ipv4_addr . inet_service; flags dynamic, timeout; }'],
        forward: [
          `${TO_RELAY} ct state new add @callflows { ip saddr . udp sport timeout 5s }`,
          `${TO_RELAY} ip saddr . udp sport != @callflows drop`,
          `${FROM_RELAY} ip daddr . udp dport != @callflows drop`,
        ],
      }),
    // The flow starts with the allocation, a few hundred ms before the first packet.
    judge: (outcome, test) => [
      ...expectKind(outcome, 'drops'),
      ...(outcome.kind === 'drops' ? within('drop after s', outcome.afterS, 3.5, 5.2) : []),
      ...(test.control === 'alive' ? [] : [`control ${String(test.control)}`]),
    ],
  },
  {
    name: 'call-quota-60k',
    description: 'Each UDP flow to the relay dropped once it has carried 60 kB, both ways counted (nft ct bytes).',
    router: () => plain({ forward: [`${TO_RELAY} ct bytes > 60000 drop`, `${FROM_RELAY} ct bytes > 60000 drop`] }),
    // A flow carries one direction up and the other down, ≈ 250 bytes a packet on the wire: ≈ 25 kB/s, so ≈ 2.4 s.
    judge: (outcome, test) => [
      ...expectKind(outcome, 'drops'),
      ...(outcome.kind === 'drops' ? within('drop after s', outcome.afterS, 1, 4) : []),
      ...(test.control === 'alive' ? [] : [`control ${String(test.control)}`]),
    ],
  },
  {
    name: 'call-policer-6k',
    description: 'Each UDP flow to the relay policed to 6 kB/s upstream (an nft per-flow meter), about half a voice stream.',
    router: () =>
      plain({
        declarations: ['set callpolice { type ipv4_addr . inet_service; flags dynamic; }'],
        forward: [`${TO_RELAY} add @callpolice { ip saddr . udp sport limit rate over 6 kbytes/second } drop`],
      }),
    // ≈ 12.5 kB/s up per flow against 6 kB/s: about half lost, with the path still up. SCTP's congestion control
    // (a data channel is not RTP) holds packets back on a lossy path, so one direction may lose more (74 % seen).
    judge: (outcome, test) => [...expectKind(outcome, 'breaks-up'), ...bothLost(test, 30, 90)],
  },
  {
    name: 'call-data-cut',
    description:
      'The relay allocates over UDP, but every datagram carrying call data to it (TURN ChannelData and Send indications) is dropped: ICE and DTLS never get through, as where calls die at key exchange. TCP untouched.',
    router: () =>
      plain({
        // ChannelData starts with the bits 01 (RFC 8656 §12.4); a Send indication is STUN type 0x0016.
        forward: [`${TO_RELAY} @th,64,2 1 drop`, `${TO_RELAY} @th,64,16 0x0016 drop`],
      }),
    judge: (outcome) =>
      outcome.kind === 'handshake-lost' && outcome.transports.join() === 'udp' && outcome.then?.kind === 'stays-up' && outcome.then.transport === 'tcp'
        ? []
        : [`read ${JSON.stringify(outcome)}, expected handshake-lost on UDP, then staying up over TCP`],
  },
  {
    name: 'call-upload-loss-20',
    description: '20 % of UDP datagrams from the client to the relay dropped at random (nft numgen); nothing downstream.',
    router: () => plain({ forward: [`${TO_RELAY} numgen random mod 100 < 20 drop`] }),
    // 750 packets a direction: the binomial spread is ±1.5 points; each direction crosses the uplink once. SCTP holding
    // packets back on the lossy path added up to 7 points (27 % seen).
    // A handshake lost on every one of DTLS's five tries in 25 s (about 1 run in 100 at this loss; one CI run lost four
    // in 15 s) names the loss too, as the set-up lost on UDP; a clean figure from the TCP fallback never passes.
    judge: (outcome, test) =>
      outcome.kind === 'handshake-lost' && outcome.transports[0] === 'udp' ? [] : [...expectKind(outcome, 'breaks-up'), ...bothLost(test, 13, 35)],
  },
];

/** The call scenarios LAB_SCENARIO names, all by default; names of the check scenarios (scenarios.ts) are theirs. */
export function selectCallScenarios(selector: string | undefined, checkScenarioNames: readonly string[]): readonly CallScenario[] {
  if (selector === undefined || selector.trim() === '' || selector.trim() === 'all') return CALL_SCENARIOS;
  const names = selector.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !CALL_SCENARIOS.some((s) => s.name === name) && !checkScenarioNames.includes(name));
  if (unknown.length > 0) throw new Error(`unknown LAB_SCENARIO ${unknown.join(', ')}; call scenarios: ${CALL_SCENARIOS.map((s) => s.name).join(', ')}`);
  return CALL_SCENARIOS.filter((s) => names.includes(s.name));
}
