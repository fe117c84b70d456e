// Environment parsing: defaults, storage choice, and clear errors for bad values.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/collector/config';

describe('readConfig', () => {
  it('defaults to SQLite on loopback port 8787 with rate limiting on', () => {
    const config = readConfig({}, '/srv/collector');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      storage: { kind: 'sqlite', file: '/srv/collector/.collector-data/collector.db' },
      trustProxy: false,
      rateLimit: { burst: 30, perMinute: 10 },
      catalogSigningKey: undefined,
      retentionDays: 730,
      maxConnections: 1_000,
    });
    expect(config.catalogPath).toMatch(/src\/core\/catalog\.json$/);
  });

  it('uses PostgreSQL when DATABASE_URL is set, and reads the other variables', () => {
    expect(
      readConfig({
        DATABASE_URL: 'postgresql://u@db/c',
        PORT: '9000',
        HOST: '0.0.0.0',
        TRUST_PROXY: '1',
        RATE_LIMIT: 'off',
        DATA_DIR: '/var/lib/x',
      }),
    ).toMatchObject({ host: '0.0.0.0', port: 9000, storage: { kind: 'postgres', url: 'postgresql://u@db/c' }, trustProxy: true, rateLimit: null });
  });

  it('reads SQLITE_SYNCHRONOUS, full or normal', () => {
    expect(readConfig({}, '/srv').storage).toMatchObject({ kind: 'sqlite', synchronous: 'full' });
    expect(readConfig({ SQLITE_SYNCHRONOUS: 'NORMAL' }, '/srv').storage).toMatchObject({ kind: 'sqlite', synchronous: 'normal' });
    expect(readConfig({ SQLITE_SYNCHRONOUS: 'full' }, '/srv').storage).toMatchObject({ kind: 'sqlite', synchronous: 'full' });
    expect(() => readConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS/);
  });

  it('names the variable that is wrong', () => {
    expect(() => readConfig({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => readConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => readConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
    expect(() => readConfig({ RATE_LIMIT_BURST: '0' })).toThrow(/RATE_LIMIT_BURST/);
    expect(() => readConfig({ RETENTION_DAYS: '0' })).toThrow(/RETENTION_DAYS/);
    expect(() => readConfig({ MAX_CONNECTIONS: 'many' })).toThrow(/MAX_CONNECTIONS/);
  });

  it('has no call-test relay by default, and starts a local one when turnserver is installed unless told not to', () => {
    expect(readConfig({})).toMatchObject({ relay: null, localRelay: true });
    expect(readConfig({ CIC_LOCAL_RELAY: '0' }).localRelay).toBe(false);
    expect(() => readConfig({ CIC_LOCAL_RELAY: 'maybe' })).toThrow(/CIC_LOCAL_RELAY/);
  });

  it('reads the relay: the secret inline or from a file, host, ports, TTL and reflector ports', () => {
    const secret = 'a'.repeat(32);
    expect(readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_HOST: 'relay.example.org' }).relay).toEqual({
      secret,
      host: 'relay.example.org',
      port: 3478,
      tlsPort: 443,
      ttlSeconds: 600,
      reflectorPorts: [],
    });
    const dir = mkdtempSync(join(tmpdir(), 'canicall-config-'));
    writeFileSync(join(dir, 'turn-secret'), `${secret}\n`);
    expect(
      readConfig(
        { CIC_TURN_SECRET_FILE: 'turn-secret', CIC_TURN_HOST: '2001:db8::1', CIC_TURN_PORT: '3479', CIC_TURN_TLS_PORT: '0', CIC_TURN_TTL: '120', CIC_REFLECTOR_PORTS: '8801-8803, 3480,596' },
        dir,
      ).relay,
    ).toEqual({ secret, host: '2001:db8::1', port: 3479, tlsPort: null, ttlSeconds: 120, reflectorPorts: [596, 3480, 8801, 8802, 8803] });
  });

  it('refuses a half-configured or weak relay, naming what is wrong', () => {
    const secret = 'b'.repeat(32);
    expect(() => readConfig({ CIC_TURN_SECRET: secret })).toThrow(/CIC_TURN_HOST/);
    expect(() => readConfig({ CIC_TURN_HOST: 'relay.example.org' })).toThrow(/CIC_TURN_SECRET/);
    expect(() => readConfig({ CIC_TURN_SECRET: 'short', CIC_TURN_HOST: 'r.example' })).toThrow(/at least 16/);
    expect(() => readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_SECRET_FILE: '/x', CIC_TURN_HOST: 'r.example' })).toThrow(/not both/);
    expect(() => readConfig({ CIC_TURN_SECRET_FILE: '/nonexistent/secret', CIC_TURN_HOST: 'r.example' })).toThrow(/CIC_TURN_SECRET_FILE/);
    expect(() => readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_HOST: 'turn:r.example' })).toThrow(/CIC_TURN_HOST/);
    expect(() => readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_HOST: 'r.example', CIC_TURN_TTL: '10' })).toThrow(/CIC_TURN_TTL/);
    expect(() => readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_HOST: 'r.example', CIC_REFLECTOR_PORTS: '50000-65535' })).toThrow(/more than 64/);
    expect(() => readConfig({ CIC_TURN_SECRET: secret, CIC_TURN_HOST: 'r.example', CIC_REFLECTOR_PORTS: '9-3' })).toThrow(/CIC_REFLECTOR_PORTS/);
  });
});
