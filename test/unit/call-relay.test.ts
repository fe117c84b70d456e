// Which relay URLs the call test tries, in which order.
import { describe, expect, it } from 'vitest';
import { relayAttempts } from '../../src/core/call-relay';

describe('relayAttempts', () => {
  it('tries UDP, then TLS, then plain TCP, one URL each, and skips STUN and junk', () => {
    const uris = [
      'turn:relay.example:3478?transport=tcp',
      'turns:relay.example:443?transport=tcp',
      'stun:relay.example:3478',
      'not a url',
      'turn:relay.example:3478?transport=udp',
      'turn:other.example:3478',
    ];
    expect(relayAttempts(uris)).toEqual([
      { transport: 'udp', url: 'turn:relay.example:3478?transport=udp' },
      { transport: 'tls', url: 'turns:relay.example:443?transport=tcp' },
      { transport: 'tcp', url: 'turn:relay.example:3478?transport=tcp' },
    ]);
    expect(relayAttempts(['stun:relay.example'])).toEqual([]);
  });
});
