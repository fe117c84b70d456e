// The TURN credentials schema the extension checks the collector's answer with.
import { describe, expect, it } from 'vitest';
import { credentialsExpireAt, parseTurnCredentials } from '../../src/core/turn-credentials';

const valid = {
  username: '1781792625:0123456789abcdef',
  credential: 'q83vEjRWeJCrze8SNFZ4kKvN7xI=',
  ttl: 600,
  uris: ['turn:relay.example.org:3478?transport=udp', 'turn:relay.example.org:3478?transport=tcp', 'turns:relay.example.org:443?transport=tcp'],
  reflector: { host: 'relay.example.org', port: 3478, ports: [3480, 8801] },
};

describe('parseTurnCredentials', () => {
  it('accepts the agreed shape and tells when it expires', () => {
    const parsed = parseTurnCredentials(valid);
    expect(parsed).toEqual({ ok: true, credentials: valid });
    if (parsed.ok) expect(credentialsExpireAt(parsed.credentials)).toBe(1_781_792_625_000);
  });

  it.each([
    ['a username without the expiry', { ...valid, username: 'alice' }, 'username'],
    ['a credential that is not a SHA-1 HMAC', { ...valid, credential: 'secret' }, 'credential'],
    ['a stun: URL', { ...valid, uris: ['stun:relay.example.org:3478'] }, 'uris.0'],
    ['turns over UDP', { ...valid, uris: ['turns:relay.example.org:443?transport=udp'] }, 'uris.0'],
    ['no URL at all', { ...valid, uris: [] }, 'uris'],
    ['a port out of range', { ...valid, reflector: { host: 'relay.example.org', port: 3478, ports: [70000] } }, 'reflector.ports.0'],
    ['an unknown key', { ...valid, extra: 1 }, 'extra'],
    ['a TTL of a second', { ...valid, ttl: 1 }, 'ttl'],
  ])('refuses %s, naming where', (_name, data, path) => {
    const parsed = parseTurnCredentials(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(`at ${path}`);
  });

  it('refuses what is not an object', () => {
    expect(parseTurnCredentials(null).ok).toBe(false);
    expect(parseTurnCredentials('{"username":1}').ok).toBe(false);
  });
});
