// Reads the collector's configuration from environment variables, failing with a message naming the bad variable.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type StorageConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface CollectorConfig {
  host: string;
  port: number;
  storage: StorageConfig;
  /** PEM or base64 PKCS#8 DER; undefined leaves GET /v1/catalog answering 503. */
  catalogSigningKey: string | undefined;
  catalogPath: string;
  trustProxy: boolean;
  /** null: no rate limiting. */
  rateLimit: { burst: number; perMinute: number } | null;
  shutdownTimeoutMs: number;
  /** Raw reports older than this are deleted; the day counts behind the stats are kept. */
  retentionDays: number;
  /** Open TCP connections beyond this are refused. */
  maxConnections: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_CATALOG_PATH = fileURLToPath(new URL('../core/catalog.json', import.meta.url));

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false' || raw === 'off') return false;
  if (raw === '1' || raw === 'true' || raw === 'on') return true;
  throw new Error(`${name} must be 1 or 0, got "${raw}"`);
}

export function readConfig(env: Env, cwd: string = process.cwd()): CollectorConfig {
  const databaseUrl = env.DATABASE_URL;
  let storage: StorageConfig;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
    storage = { kind: 'postgres', url: databaseUrl };
  } else {
    storage = { kind: 'sqlite', file: resolve(cwd, env.DATA_DIR || '.collector-data', 'collector.db') };
  }
  const rateLimitOff = (env.RATE_LIMIT ?? '').toLowerCase() === 'off';
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8787, 0, 65_535),
    storage,
    catalogSigningKey: env.CATALOG_SIGNING_KEY || undefined,
    catalogPath: env.CATALOG_PATH ? resolve(cwd, env.CATALOG_PATH) : DEFAULT_CATALOG_PATH,
    trustProxy: flag(env, 'TRUST_PROXY'),
    rateLimit: rateLimitOff
      ? null
      : {
          burst: integer(env, 'RATE_LIMIT_BURST', 30, 1, 1_000_000),
          perMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 10, 1, 1_000_000),
        },
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    retentionDays: integer(env, 'RETENTION_DAYS', 730, 1, 36_500),
    maxConnections: integer(env, 'MAX_CONNECTIONS', 1_000, 1, 1_000_000),
  };
}
