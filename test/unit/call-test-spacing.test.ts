// Full call tests of one relay server kept apart: the wait, the servers a relay's URLs name, and a record that prunes itself.
import { describe, expect, it } from 'vitest';
import { CALL_TEST_SPACING_MS, parseSpacingRecord, recordTestEnd, relayServers, spacingLeftMs } from '../../src/core/call-test-spacing';

const relay = ['turn:relay.example:3478?transport=udp', 'turn:relay.example:3478?transport=tcp', 'turns:relay.example:443?transport=tcp'];

describe('call test spacing', () => {
  it('names each server a relay’s URLs touch once, by host and port', () => {
    expect(relayServers(relay)).toEqual(['relay.example:3478', 'relay.example:443']);
    expect(relayServers(['turn:[2001:db8::7]:3478', 'not a url'])).toEqual(['2001:db8::7:3478']);
  });

  it('makes a test through a server tested within the window wait out the rest of it, and only that server', () => {
    const record = recordTestEnd([], relayServers(relay), 1_000_000);
    expect(spacingLeftMs(record, relayServers(relay), 1_000_000 + 30_000)).toBe(CALL_TEST_SPACING_MS - 30_000);
    // Sharing one server (443) is enough.
    expect(spacingLeftMs(record, ['relay.example:443'], 1_000_000 + 30_000)).toBe(CALL_TEST_SPACING_MS - 30_000);
    expect(spacingLeftMs(record, ['other.example:3478'], 1_000_000 + 30_000)).toBe(0);
    expect(spacingLeftMs(record, relayServers(relay), 1_000_000 + CALL_TEST_SPACING_MS)).toBe(0);
    expect(spacingLeftMs([], relayServers(relay), 0)).toBe(0);
  });

  it('ignores an end in the future (the clock went back): never a refusal until the clock catches up', () => {
    // A test ended with the clock an hour fast; the clock was then corrected.
    const record = recordTestEnd([], ['relay.example:3478'], 1_000_000 + 3_600_000);
    for (const later of [0, 120_000, 600_000, 3_000_000]) expect(spacingLeftMs(record, ['relay.example:3478'], 1_000_000 + later)).toBe(0);
    // An end in the past still counts beside it.
    const both = [...record, { servers: ['relay.example:3478'], endedAt: 1_000_000 - 20_000 }];
    expect(spacingLeftMs(both, ['relay.example:3478'], 1_000_000)).toBe(CALL_TEST_SPACING_MS - 20_000);
  });

  it('drops entries past their window (or from the future) when it records another end', () => {
    let record = recordTestEnd([], ['a:1'], 0);
    record = recordTestEnd(record, ['b:1'], CALL_TEST_SPACING_MS / 2);
    record = recordTestEnd(record, ['c:1'], CALL_TEST_SPACING_MS + 1);
    expect(record.map((entry) => entry.servers[0])).toEqual(['b:1', 'c:1']);
    expect(recordTestEnd([{ servers: ['d:1'], endedAt: 10_000 }], ['e:1'], 5_000).map((entry) => entry.servers[0])).toEqual(['e:1']);
  });

  it('reads a missing or malformed stored record as empty', () => {
    expect(parseSpacingRecord(undefined)).toEqual([]);
    expect(parseSpacingRecord([{ servers: 'x', endedAt: 1 }])).toEqual([]);
    expect(parseSpacingRecord([{ servers: ['a:1'], endedAt: 1 }])).toEqual([{ servers: ['a:1'], endedAt: 1 }]);
  });
});
