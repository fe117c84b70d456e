import { describe, expect, it } from 'vitest';
import { isTurnPortAllowed, parseIceUrl } from '../../src/core/ice-url';

describe('parseIceUrl', () => {
  it.each([
    ['stun:stun.l.google.com:19302', { scheme: 'stun', host: 'stun.l.google.com', port: 19302, transport: 'udp' }],
    ['stun:stun.example.org', { scheme: 'stun', host: 'stun.example.org', port: 3478, transport: 'udp' }],
    ['turn:turn.example.org', { scheme: 'turn', host: 'turn.example.org', port: 3478, transport: 'udp' }],
    ['turn:turn.example.org:443?transport=tcp', { scheme: 'turn', host: 'turn.example.org', port: 443, transport: 'tcp' }],
    ['turn:turn.example.org?transport=udp', { scheme: 'turn', host: 'turn.example.org', port: 3478, transport: 'udp' }],
    ['turns:turn.example.org', { scheme: 'turns', host: 'turn.example.org', port: 5349, transport: 'tls' }],
    ['turns:turn.example.org:443?transport=tcp', { scheme: 'turns', host: 'turn.example.org', port: 443, transport: 'tls' }],
    ['turn:198.18.0.10:3478', { scheme: 'turn', host: '198.18.0.10', port: 3478, transport: 'udp' }],
    ['stun:[2001:db8::1]:3478', { scheme: 'stun', host: '2001:db8::1', port: 3478, transport: 'udp' }],
    ['STUN:Stun.Example.ORG:3478', { scheme: 'stun', host: 'stun.example.org', port: 3478, transport: 'udp' }],
  ])('%s', (url, expected) => {
    expect(parseIceUrl(url)).toEqual(expected);
  });

  it.each([
    ['http://example.org'],
    ['stuns:example.org'],
    ['stun:'],
    ['stun:host:0'],
    ['stun:host:65536'],
    ['stun:host:abc'],
    ['turn:host?transport=sctp'],
    ['turn:user@host'],
    ['stun://host'],
    ['stun:host name'],
  ])('rejects %s', (url) => {
    expect(parseIceUrl(url)).toBeNull();
  });
});

describe('isTurnPortAllowed (Chrome TurnPort::AllowedTurnPort)', () => {
  it.each([
    [53, true],
    [80, true],
    [443, true],
    [1024, true],
    [3478, true],
    [22, false],
    [1023, false],
    [100, false],
  ])('port %i → %s', (port, allowed) => {
    expect(isTurnPortAllowed(port)).toBe(allowed);
  });
});
