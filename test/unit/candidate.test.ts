// candidate.ts: placing an icecandidateerror in its socket's section.
import { describe, expect, it } from 'vitest';
import { socketOf } from '../../src/core/candidate';

describe('socketOf (which section a TURN answer belongs to)', () => {
  const sockets = [
    { ip: '127.0.0.1', port: 40000, mid: '0' },
    { ip: '192.0.2.2', port: 40000, mid: '1' },
    { ip: '::1', port: 40000, mid: '2' },
    { ip: '127.0.0.1', port: 40001, mid: '3' },
  ];

  it("finds the socket by port and Chromium's address with its last part hidden", () => {
    expect(socketOf(sockets, '127.0.0.x', 40000)?.mid).toBe('0');
    expect(socketOf(sockets, '192.0.2.x', 40000)?.mid).toBe('1');
    expect(socketOf(sockets, '::1', 40000)?.mid).toBe('2');
    expect(socketOf(sockets, '127.0.0.x', 40001)?.mid).toBe('3');
    expect(socketOf(sockets, null, 40001)?.mid).toBe('3');
  });

  it('places nothing it cannot tell apart, and nothing without a port', () => {
    expect(socketOf(sockets, null, 40000)).toBeUndefined();
    expect(socketOf(sockets, '127.0.0.x', 40002)).toBeUndefined();
    expect(socketOf(sockets, '127.0.0.x', null)).toBeUndefined();
  });
});
