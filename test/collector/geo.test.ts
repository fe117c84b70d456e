// Country and ASN lookups against the installed ip-location-db files, and address normalisation.
import { describe, expect, it } from 'vitest';
import { createIpLocationGeo, ipv6ToBigInt, normaliseAddress } from '../../src/collector/geo';

describe('geo', () => {
  const geo = createIpLocationGeo();

  it('finds the country and network of public IPv4 and IPv6 addresses', async () => {
    await geo.ready;
    expect(await geo.lookup('1.0.0.1')).toEqual({ cc: 'AU', asn: 13335 });
    expect(await geo.lookup('41.251.0.1')).toEqual({ cc: 'MA', asn: 36903 });
    expect(await geo.lookup('2001:470::1')).toEqual({ cc: 'US', asn: 6939 });
  });

  it('names networks from the same files, unquoting names that hold commas', async () => {
    await geo.ready;
    expect(geo.asnName(13335)).toBe('Cloudflare, Inc.');
    expect(geo.asnName(36903)).toMatch(/\S/);
    expect(geo.asnName(4_294_967_295)).toBeUndefined();
  });

  it('unwraps IPv4-mapped IPv6, as a dual-stack socket reports IPv4 clients', async () => {
    expect(await geo.lookup('::ffff:41.251.0.1')).toEqual({ cc: 'MA', asn: 36903 });
  });

  it('answers null for loopback, private, documentation and malformed addresses', async () => {
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.168.0.1', '203.0.113.7', '2001:db8::1', 'garbage', '', '1.2.3']) {
      expect(await geo.lookup(address)).toBeNull();
    }
  });

  it('parses IPv6 forms to 128-bit numbers', () => {
    expect(ipv6ToBigInt('::')).toBe(0n);
    expect(ipv6ToBigInt('::1')).toBe(1n);
    expect(ipv6ToBigInt('2001:db8::')).toBe(0x20010db8n << 96n);
    expect(ipv6ToBigInt('1:2:3:4:5:6:7:8')).toBe(0x00010002000300040005000600070008n);
    expect(ipv6ToBigInt('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normaliseAddress('not an address')).toBeNull();
  });

  it('answers every address as unknown when the databases fail to load, and says so', async () => {
    const broken = createIpLocationGeo({ countryMmdb: '/nonexistent.mmdb', asnIpv4Csv: '/nonexistent-4.csv', asnIpv6Csv: '/nonexistent-6.csv' });
    await expect(broken.ready).rejects.toThrow();
    expect(await broken.lookup('41.251.0.1')).toBeNull();
    expect(broken.state?.()).toBe('failed');
    expect(geo.state?.()).toBe('ready');
  });
});
