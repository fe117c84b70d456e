import { describe, expect, it } from 'vitest';
import { classifyIce, iceDeadlineResult, isDecisiveIceError, type IceObservation } from '../../src/core/classify-ice';

const STUN = 'stun:stun.example.org:3478';
const TURN_UDP = 'turn:turn.example.org:3478';
const TURN_TCP = 'turn:turn.example.org:443?transport=tcp';
const TURNS = 'turns:turn.example.org:443';

function probe(url: string, seen: Partial<IceObservation> = {}): IceObservation {
  return { id: 'x', url, deadlineMs: 1500, ...seen };
}

describe('classifyIce', () => {
  it.each<[string, IceObservation, Record<string, unknown>]>([
    // Candidates: the server answered.
    ['srflx', probe(STUN, { firstSrflxMs: 21 }), { outcome: 'reachable', evidence: 'srflx', ms: 21 }],
    ['relay', probe(TURN_UDP, { firstRelayMs: 70 }), { outcome: 'reachable', evidence: 'relay', ms: 70 }],
    ['earliest candidate wins', probe(TURN_UDP, { firstSrflxMs: 12, firstRelayMs: 70 }), { evidence: 'srflx', ms: 12 }],
    [
      "Chrome's connection cap: refused on this device, not by the network",
      probe(STUN, { errors: [{ code: 701, text: "rejected by the browser: NotSupportedError: Failed to construct 'RTCPeerConnection': Cannot create so many PeerConnections", ms: 0 }] }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'blocked_locally' },
    ],
    // Error codes sent by the server: reachable over that transport (§4).
    [
      'TURN/UDP dummy creds 401 (Chrome)',
      probe(TURN_UDP, { errors: [{ code: 401, text: 'Unauthorized.', ms: 62 }] }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401, ms: 62, failure: undefined },
    ],
    [
      'TURN/UDP dummy creds 401 (Firefox, empty text)',
      probe(TURN_UDP, { errors: [{ code: 401, text: '', ms: 26 }] }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401 },
    ],
    ['TURN 403', probe(TURN_TCP, { errors: [{ code: 403, text: 'Forbidden', ms: 90 }] }), { outcome: 'reachable', errorCode: 403 }],
    ['TURN 437', probe(TURN_UDP, { errors: [{ code: 437, text: 'Allocation Mismatch', ms: 90 }] }), { outcome: 'reachable', errorCode: 437 }],
    ['TURN 438', probe(TURN_UDP, { errors: [{ code: 438, text: 'Stale Nonce', ms: 90 }] }), { outcome: 'reachable', errorCode: 438 }],
    ['TURN 442', probe(TURN_TCP, { errors: [{ code: 442, text: 'Unsupported Transport', ms: 90 }] }), { outcome: 'reachable', errorCode: 442 }],
    ['TURN 500 from the server', probe(TURN_UDP, { errors: [{ code: 500, text: 'Server Error', ms: 90 }] }), { outcome: 'reachable', errorCode: 500 }],
    [
      'Chrome STUN-binding quirk: errorCode 1 = 401',
      probe(STUN, { errors: [{ code: 1, text: 'Unauthorized', ms: 6 }] }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401, ms: 6 },
    ],
    [
      'TURNS with an accepted certificate, dummy creds',
      probe(TURNS, { errors: [{ code: 401, text: 'Unauthorized', ms: 121 }] }),
      { outcome: 'reachable', transport: 'tls', errorCode: 401 },
    ],
    // Chrome refuses TURN ports below 1024 except 53/80/443 itself: a catalog bug.
    [
      'disallowed TURN port (text)',
      probe('turn:turn.example.org:3478', { errors: [{ code: 500, text: 'Attempt to start allocation to a disallowed port', ms: 1 }] }),
      { outcome: 'unreachable', errorCode: 500, failure: 'unsafe_port' },
    ],
    [
      'disallowed TURN port (port rule)',
      probe('turn:turn.example.org:100', { errors: [{ code: 500, text: '', ms: 1 }] }),
      { outcome: 'unreachable', errorCode: 500, failure: 'unsafe_port' },
    ],
    // 701: the browser gave up.
    [
      '701 host lookup',
      probe(STUN, { errors: [{ code: 701, text: 'STUN host lookup received error.', ms: 30 }] }),
      { outcome: 'unreachable', evidence: 'error-701', errorCode: 701, failure: 'dns_lookup_error', ms: 30 },
    ],
    [
      '701 TURN host lookup',
      probe(TURN_UDP, { errors: [{ code: 701, text: 'TURN host lookup received error.', ms: 30 }] }),
      { outcome: 'unreachable', failure: 'dns_lookup_error' },
    ],
    [
      '701 timed out (browser give-up before our deadline)',
      probe(STUN, { deadlineMs: 12000, errors: [{ code: 701, text: 'STUN binding request timed out.', ms: 11100 }] }),
      { outcome: 'filtered', evidence: 'error-701', failure: 'generic_timeout_error', ms: 11100 },
    ],
    [
      'fast 701 "Failed to establish connection" on TCP',
      probe(TURN_TCP, { errors: [{ code: 701, text: 'Failed to establish connection', ms: 5 }] }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'connection_refused' },
    ],
    [
      'fast 701 "Failed to establish connection" on TLS (self-signed cert)',
      probe(TURNS, { errors: [{ code: 701, text: 'Failed to establish connection', ms: 131 }] }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'ssl_failed_handshake' },
    ],
    [
      'other 701 text',
      probe(TURN_UDP, { errors: [{ code: 701, text: 'Failed to create TURN client socket.', ms: 3 }] }),
      { outcome: 'unreachable', failure: 'unknown_failure' },
    ],
    // Firefox ESR 153 gives every 701 an empty text (observed against coturn and the e2e fixtures).
    [
      'Firefox 701 on TCP (closed port)',
      probe(TURN_TCP, { errors: [{ code: 701, text: '', ms: 40 }], gatheringCompleteMs: 41 }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'connection_refused', ms: 40 },
    ],
    [
      'Firefox 701s on TLS (untrusted certificate, once per address)',
      probe(TURNS, { errors: [{ code: 701, text: '', ms: 18 }, { code: 701, text: '', ms: 121 }], gatheringCompleteMs: 121 }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'ssl_failed_handshake', ms: 18 },
    ],
    [
      'Firefox 701 on UDP',
      probe(STUN, { errors: [{ code: 701, text: '', ms: 11_100 }], deadlineMs: 12_000 }),
      { outcome: 'unreachable', evidence: 'error-701', failure: 'unknown_failure' },
    ],
    [
      'Firefox turns:localhost: 701 over ::1, then 401 over 127.0.0.1',
      probe(TURNS, { errors: [{ code: 701, text: '', ms: 104 }, { code: 401, text: '', ms: 122 }], gatheringCompleteMs: 122 }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401, ms: 122 },
    ],
    [
      'Firefox STUN server that demands auth: 401 with empty text',
      probe(STUN, { errors: [{ code: 401, text: '', ms: 6 }] }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401, ms: 6 },
    ],
    // Noise is ignored.
    [
      '"address is incompatible" alone, then the deadline',
      probe(STUN, { errors: [{ code: 701, text: 'STUN server address is incompatible.', ms: 2 }] }),
      { outcome: 'filtered', evidence: 'deadline', ms: 1500 },
    ],
    [
      '"address is incompatible" then srflx',
      probe(STUN, { firstSrflxMs: 20, errors: [{ code: 701, text: 'STUN server address is incompatible.', ms: 2 }] }),
      { outcome: 'reachable', evidence: 'srflx' },
    ],
    [
      '"address is incompatible" then a 401',
      probe(TURN_UDP, {
        errors: [
          { code: 701, text: 'STUN server address is incompatible.', ms: 2 },
          { code: 401, text: 'Unauthorized', ms: 60 },
        ],
      }),
      { outcome: 'reachable', evidence: 'server-error', errorCode: 401, ms: 60 },
    ],
    // Precedence between events.
    [
      'a candidate beats an earlier 701 from another interface',
      probe(STUN, { firstSrflxMs: 50, errors: [{ code: 701, text: 'Failed to establish connection', ms: 10 }] }),
      { outcome: 'reachable', evidence: 'srflx', ms: 50 },
    ],
    [
      'a server error beats an earlier 701',
      probe(TURN_UDP, {
        errors: [
          { code: 701, text: 'TURN host lookup received error.', ms: 10 },
          { code: 401, text: 'Unauthorized', ms: 80 },
        ],
      }),
      { outcome: 'reachable', errorCode: 401, ms: 80 },
    ],
    [
      'the earliest of several 701s decides',
      probe(TURN_TCP, {
        errors: [
          { code: 701, text: 'something else', ms: 90 },
          { code: 701, text: 'Failed to establish connection', ms: 40 },
        ],
      }),
      { failure: 'connection_refused', ms: 40 },
    ],
    // Endings without a decisive event.
    [
      'gathering complete with nothing (Firefox skips turns: to an IP address)',
      probe('turns:192.0.2.10:443?transport=tcp', { gatheringCompleteMs: 6 }),
      { outcome: 'unreachable', evidence: 'gathering-complete', ms: 6, failure: undefined },
    ],
    [
      'STUN gathering complete without srflx or error from a UDP socket: the server answered with our own address',
      probe(STUN, { gatheringCompleteMs: 30, udpHostCandidate: true }),
      { outcome: 'reachable', evidence: 'gathering-complete', ms: 30 },
    ],
    [
      'STUN gathering complete with no UDP socket at all (UDP disabled by policy)',
      probe(STUN, { gatheringCompleteMs: 5 }),
      { outcome: 'unreachable', evidence: 'gathering-complete', ms: 5 },
    ],
    ['nothing before the deadline', probe(TURN_TCP), { outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500 }],
    [
      'events after our deadline are ignored',
      probe(STUN, { firstSrflxMs: 1600, gatheringCompleteMs: 1700, errors: [{ code: 401, text: '', ms: 1550 }] }),
      { outcome: 'filtered', evidence: 'deadline', ms: 1500 },
    ],
  ])('%s', (_name, observation, expected) => {
    const result = classifyIce(observation);
    // `key: undefined` in a row means the key must be absent.
    const absent = Object.keys(expected).filter((key) => expected[key] === undefined);
    const present = Object.fromEntries(Object.entries(expected).filter(([, value]) => value !== undefined));
    expect(result).toMatchObject(present);
    for (const key of absent) expect(result).not.toHaveProperty(key);
  });

  it('fills scheme, transport and port from the URL', () => {
    expect(classifyIce(probe(TURN_TCP, { firstRelayMs: 100 }))).toEqual({
      id: 'x',
      scheme: 'turn',
      transport: 'tcp',
      port: 443,
      outcome: 'reachable',
      evidence: 'relay',
      ms: 100,
    });
    expect(classifyIce(probe('turns:t.example.org'))).toMatchObject({ scheme: 'turns', transport: 'tls', port: 5349 });
  });

  it('throws on a URL that is not an ICE server URL', () => {
    expect(() => classifyIce(probe('https://example.org'))).toThrow(RangeError);
  });
});

describe('isDecisiveIceError', () => {
  it('treats address-family mismatches as noise and everything else as decisive', () => {
    expect(isDecisiveIceError({ code: 701, text: 'STUN server address is incompatible.', ms: 1 }, STUN)).toBe(false);
    expect(isDecisiveIceError({ code: 701, text: 'STUN host lookup received error.', ms: 1 }, STUN)).toBe(true);
    expect(isDecisiveIceError({ code: 401, text: '', ms: 1 }, TURN_UDP)).toBe(true);
    expect(isDecisiveIceError({ code: 1, text: 'Unauthorized', ms: 1 }, STUN)).toBe(true);
  });

  it('waits after a Firefox 701 (no text): another address of the same server may still answer', () => {
    expect(isDecisiveIceError({ code: 701, text: '', ms: 1 }, TURNS)).toBe(false);
    expect(isDecisiveIceError({ code: 701, text: '', ms: 1 }, TURN_TCP)).toBe(false);
    expect(isDecisiveIceError({ code: 401, text: '', ms: 1 }, TURNS)).toBe(true);
    expect(isDecisiveIceError({ code: 701, text: 'Failed to establish connection', ms: 1 }, TURNS)).toBe(true);
  });
});

describe('iceDeadlineResult', () => {
  it('is a filtered result at the deadline, or null for a bad URL', () => {
    expect(iceDeadlineResult('a', TURN_UDP, 2000)).toEqual({
      id: 'a',
      scheme: 'turn',
      transport: 'udp',
      port: 3478,
      outcome: 'filtered',
      evidence: 'deadline',
      failure: 'generic_timeout_error',
      ms: 2000,
    });
    expect(iceDeadlineResult('a', 'nope', 2000)).toBeNull();
  });
});
