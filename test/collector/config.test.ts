// Environment parsing: defaults, storage choice, and clear errors for bad values.
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

  it('names the variable that is wrong', () => {
    expect(() => readConfig({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => readConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => readConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
    expect(() => readConfig({ RATE_LIMIT_BURST: '0' })).toThrow(/RATE_LIMIT_BURST/);
    expect(() => readConfig({ RETENTION_DAYS: '0' })).toThrow(/RETENTION_DAYS/);
    expect(() => readConfig({ MAX_CONNECTIONS: 'many' })).toThrow(/MAX_CONNECTIONS/);
  });
});
