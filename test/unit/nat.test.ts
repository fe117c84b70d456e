// NAT mapping inference from one RTCPeerConnection's srflx candidates, and the candidate-line parser.
import { describe, expect, it } from 'vitest';
import { parseCandidate } from '../../src/core/candidate';
import { inferNatMapping } from '../../src/core/nat';

describe('inferNatMapping', () => {
  it('one mapped address seen by two or more servers is endpoint-independent', () => {
    expect(inferNatMapping([{ ip: '203.0.113.7', port: 40000 }], 3)).toBe('endpoint-independent');
    // Firefox does not de-duplicate: the same mapping twice is still one.
    const twice = [
      { ip: '203.0.113.7', port: 40000 },
      { ip: '203.0.113.7', port: 40000 },
    ];
    expect(inferNatMapping(twice, 2)).toBe('endpoint-independent');
  });

  it('one mapping from a single server proves nothing', () => {
    expect(inferNatMapping([{ ip: '203.0.113.7', port: 40000 }], 1)).toBe('unknown');
  });

  it('no srflx at all is unknown (UDP unreachable or no NAT)', () => {
    expect(inferNatMapping([], 0)).toBe('unknown');
  });

  it('same IP, different ports is address-dependent ("symmetric")', () => {
    const srflx = [
      { ip: '203.0.113.7', port: 40000 },
      { ip: '203.0.113.7', port: 40001 },
    ];
    expect(inferNatMapping(srflx, 2)).toBe('address-dependent');
  });

  it('different IPs are multiple egress paths, not symmetric', () => {
    const srflx = [
      { ip: '203.0.113.7', port: 40000 },
      { ip: '198.51.100.9', port: 40000 },
    ];
    expect(inferNatMapping(srflx, 2)).toBe('multiple-egress');
  });

  it('judges IPv4 and IPv6 apart: one of each is not two egress paths', () => {
    const srflx = [
      { ip: '203.0.113.7', port: 40000 },
      { ip: '2001:db8::7', port: 40000 },
    ];
    expect(inferNatMapping(srflx, 3)).toBe('endpoint-independent');
    expect(inferNatMapping([...srflx, { ip: '203.0.113.7', port: 40002 }], 3)).toBe('address-dependent');
  });

  it('never groups by related port: mDNS hosts give every srflx rport 0', () => {
    const lines = [
      'candidate:1 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 0.0.0.0 rport 0 generation 0',
      'candidate:2 1 udp 1686052607 203.0.113.7 40001 typ srflx raddr 0.0.0.0 rport 0 generation 0',
    ];
    const srflx = lines.flatMap((line) => parseCandidate(line) ?? []);
    expect(inferNatMapping(srflx, 2)).toBe('address-dependent');
  });
});

describe('parseCandidate', () => {
  it('reads Chrome and SDP forms', () => {
    expect(parseCandidate('candidate:842163049 1 udp 1677729535 198.51.100.4 54321 typ srflx raddr 10.0.0.2 rport 5000 generation 0 ufrag abcd network-cost 999')).toEqual({
      type: 'srflx',
      protocol: 'udp',
      ip: '198.51.100.4',
      port: 54321,
    });
    expect(parseCandidate('a=candidate:1 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active')).toEqual({
      type: 'host',
      protocol: 'tcp',
      ip: '192.0.2.1',
      port: 9,
    });
  });

  it('reads Firefox upper-case transport, mDNS hosts, IPv6 and relays', () => {
    expect(parseCandidate('candidate:0 1 UDP 2122252543 3d2f1a5e-0c7b-4a31-9d6f-1f0b1b2c3d4e.local 50000 typ host')).toMatchObject({
      type: 'host',
      protocol: 'udp',
      ip: '3d2f1a5e-0c7b-4a31-9d6f-1f0b1b2c3d4e.local',
    });
    expect(parseCandidate('candidate:3 1 udp 1686052863 2001:db8::1 40000 typ srflx raddr :: rport 0')?.ip).toBe('2001:db8::1');
    expect(parseCandidate('candidate:5 1 udp 41885439 192.0.2.10 3478 typ relay raddr 203.0.113.7 rport 40000')?.type).toBe('relay');
  });

  it('rejects what is not a candidate', () => {
    expect(parseCandidate('')).toBeUndefined();
    expect(parseCandidate('candidate:1 1 udp 1 192.0.2.1 70000 typ host')).toBeUndefined();
    expect(parseCandidate('candidate:1 1 sctp 1 192.0.2.1 5000 typ host')).toBeUndefined();
    expect(parseCandidate('candidate:1 1 udp 1 192.0.2.1 5000 type host')).toBeUndefined();
    expect(parseCandidate('candidate:1 1 udp 1 192.0.2.1 5000 typ bogus')).toBeUndefined();
  });
});
