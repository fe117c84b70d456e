import { describe, expect, it } from 'vitest';
import {
  classifyDns,
  isBogon,
  isIpAddress,
  parseDohJson,
  systemAnswerFromHttp,
  type DohAnswer,
  type SystemAnswer,
} from '../../src/core/dns';

describe('isBogon', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.1.2.3',
    '100.64.0.1',
    '100.127.255.255',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.10.10',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'ff02::1',
    '2001:db8::1',
    '100::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '[::1]',
  ])('%s is a bogon', (ip) => {
    expect(isBogon(ip)).toBe(true);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '157.240.1.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a03:2880:f12f:83:face:b00c:0:25de',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    'not an address',
    '1.2.3',
    '01.2.3.4',
    '256.1.1.1',
    '1::2::3',
    '',
  ])('%s is not a bogon', (ip) => {
    expect(isBogon(ip)).toBe(false);
  });

  it('lets a caller treat a block as public (the lab uses 198.18.0.0/15)', () => {
    const lab = { allow: ['198.18.0.0/15'] };
    expect(isBogon('198.18.0.10', lab)).toBe(false);
    expect(isBogon('198.19.3.4', lab)).toBe(false);
    expect(isBogon('::ffff:198.18.0.10', lab)).toBe(false);
    expect(isBogon('10.0.0.1', lab)).toBe(true);
    expect(isBogon('::1', { allow: ['::1/128'] })).toBe(false);
    expect(isBogon('127.0.0.1', { allow: ['127.0.0.1'] })).toBe(false);
  });

  it('rejects a malformed allow block', () => {
    expect(() => isBogon('1.1.1.1', { allow: ['198.18.0.0/33'] })).toThrow(RangeError);
    expect(() => isBogon('1.1.1.1', { allow: ['nonsense'] })).toThrow(RangeError);
  });
});

describe('isIpAddress', () => {
  it.each([
    ['1.2.3.4', true],
    ['::', true],
    ['2001:db8:0:0:0:0:0:1', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['::ffff:1.2.3.4', true],
    ['1:2:3:4:5:6:1.2.3.4', true],
    ['example.org', false],
    ['g::1', false],
  ])('%s → %s', (text, expected) => {
    expect(isIpAddress(text)).toBe(expected);
  });
});

describe('parseDohJson', () => {
  it('collects A and AAAA answers and skips CNAMEs', () => {
    const body = {
      Status: 0,
      TC: false,
      Question: [{ name: 'web.whatsapp.com.', type: 1 }],
      Answer: [
        { name: 'web.whatsapp.com.', type: 5, TTL: 300, data: 'mmx-ds.cdn.whatsapp.net.' },
        { name: 'mmx-ds.cdn.whatsapp.net.', type: 1, TTL: 60, data: '157.240.1.53' },
        { name: 'mmx-ds.cdn.whatsapp.net.', type: 28, TTL: 60, data: '2a03:2880:f12f:83:face:b00c:0:167' },
      ],
    };
    expect(parseDohJson(body)).toEqual({ kind: 'answers', addresses: ['157.240.1.53', '2a03:2880:f12f:83:face:b00c:0:167'] });
  });

  it.each<[string, unknown, DohAnswer['kind']]>([
    ['NXDOMAIN', { Status: 3, Authority: [] }, 'nxdomain'],
    ['SERVFAIL', { Status: 2 }, 'failed'],
    ['REFUSED', { Status: 5 }, 'failed'],
    ['NOERROR without addresses (NODATA)', { Status: 0 }, 'failed'],
    ['NOERROR with only a CNAME', { Status: 0, Answer: [{ type: 5, data: 'x.example.' }] }, 'failed'],
    ['A record whose data is not an address', { Status: 0, Answer: [{ type: 1, data: 'garbage' }] }, 'failed'],
    ['not an object', 'oops', 'failed'],
    ['Status missing', { Answer: [] }, 'failed'],
    ['Answer of the wrong shape', { Status: 0, Answer: [{ type: '1', data: 1 }] }, 'failed'],
  ])('%s → %s', (_name, body, kind) => {
    expect(parseDohJson(body).kind).toBe(kind);
  });
});

const nameError: SystemAnswer = { kind: 'name-error' };
const at = (...addresses: string[]): SystemAnswer => ({ kind: 'addresses', addresses });
const answers = (...addresses: string[]): DohAnswer => ({ kind: 'answers', addresses });
const nx: DohAnswer = { kind: 'nxdomain' };
const failed: DohAnswer = { kind: 'failed', reason: 'timeout' };

describe('classifyDns', () => {
  it.each<[string, SystemAnswer, DohAnswer, { system: string; doh: string; verdict: string }]>([
    ['name error where DoH answers ⇒ tampering', nameError, answers('157.240.1.53'), { system: 'nxdomain', doh: 'answers', verdict: 'dns_tampering' }],
    ['name error on both ⇒ nxdomain', nameError, nx, { system: 'nxdomain', doh: 'nxdomain', verdict: 'nxdomain' }],
    ['bogon where DoH gives public ⇒ tampering', at('10.10.34.35'), answers('157.240.1.53'), { system: 'bogon', doh: 'answers', verdict: 'dns_tampering' }],
    ['0.0.0.0 sinkhole ⇒ tampering', at('0.0.0.0'), answers('157.240.1.53'), { system: 'bogon', doh: 'answers', verdict: 'dns_tampering' }],
    ['bogon on both sides ⇒ consistent', at('127.0.0.1'), answers('127.0.0.1'), { system: 'bogon', doh: 'answers', verdict: 'consistent' }],
    ['bogon where DoH says NXDOMAIN ⇒ inconclusive', at('10.0.0.1'), nx, { system: 'bogon', doh: 'nxdomain', verdict: 'inconclusive' }],
    ['different public IPs (CDNs) ⇒ consistent', at('157.240.1.53'), answers('31.13.64.53'), { system: 'public', doh: 'answers', verdict: 'consistent' }],
    ['same public IP ⇒ consistent', at('157.240.1.53'), answers('157.240.1.53'), { system: 'public', doh: 'answers', verdict: 'consistent' }],
    ['public where DoH says NXDOMAIN ⇒ inconclusive', at('157.240.1.53'), nx, { system: 'public', doh: 'nxdomain', verdict: 'inconclusive' }],
    ['DoH failed ⇒ inconclusive (name error)', nameError, failed, { system: 'nxdomain', doh: 'failed', verdict: 'inconclusive' }],
    ['DoH failed ⇒ inconclusive (bogon)', at('10.0.0.1'), failed, { system: 'bogon', doh: 'failed', verdict: 'inconclusive' }],
    ['system unknown ⇒ inconclusive', { kind: 'unknown' }, answers('1.1.1.1'), { system: 'unknown', doh: 'answers', verdict: 'inconclusive' }],
    ['no usable system address ⇒ unknown', at('garbage'), answers('1.1.1.1'), { system: 'unknown', doh: 'answers', verdict: 'inconclusive' }],
    ['one public address among bogons ⇒ public', at('10.0.0.1', '157.240.1.53'), answers('157.240.1.53'), { system: 'public', doh: 'answers', verdict: 'consistent' }],
  ])('%s', (_name, system, doh, expected) => {
    expect(classifyDns({ system, doh })).toEqual(expected);
  });

  it('does not see the lab’s own servers as tampering when 198.18.0.0/15 is allowed', () => {
    expect(classifyDns({ system: at('198.18.0.20'), doh: answers('8.8.4.4') }).verdict).toBe('dns_tampering');
    expect(classifyDns({ system: at('198.18.0.20'), doh: answers('198.18.0.20') }, { allow: ['198.18.0.0/15'] })).toEqual({
      system: 'public',
      doh: 'answers',
      verdict: 'consistent',
    });
  });
});

describe('systemAnswerFromHttp', () => {
  it('reads a name error or the connected ip', () => {
    expect(systemAnswerFromHttp({ id: 'a', outcome: 'failed', failure: 'dns_nxdomain_error', ms: 5 })).toEqual({ kind: 'name-error' });
    expect(systemAnswerFromHttp({ id: 'a', outcome: 'failed', failure: 'dns_server_misbehaving', ms: 5 })).toEqual({ kind: 'name-error' });
    expect(systemAnswerFromHttp({ id: 'a', outcome: 'reachable', status: 200, ip: '10.0.0.1', ms: 5 })).toEqual(at('10.0.0.1'));
    expect(systemAnswerFromHttp({ id: 'a', outcome: 'failed', failure: 'connection_reset', ms: 5 })).toEqual({ kind: 'unknown' });
  });
});
