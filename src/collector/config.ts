// Reads the collector's configuration from environment variables, failing with a message naming the bad variable.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorText } from '../core/error-text';
import type { SqliteSynchronous } from './sqlite-writer';

export type StorageConfig = { kind: 'sqlite'; file: string; synchronous: SqliteSynchronous } | { kind: 'postgres'; url: string };

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
  /** The call-test relay GET /v1/turn-credentials mints credentials for; null answers 503. */
  relay: RelayConfig | null;
  /** With no relay configured, start a local coturn next to the collector when `turnserver` is installed (a developer machine). */
  localRelay: boolean;
}

/** The call-test relay (coturn, `use-auth-secret`): the one secret it shares with the collector, and where clients reach it. */
export interface RelayConfig {
  /** coturn's `static-auth-secret`; the credentials are HMAC-SHA1 under it. */
  secret: string;
  /** Public host name or address of the relay, as clients dial it. */
  host: string;
  /** TURN over UDP and TCP (3478). */
  port: number;
  /** TURN over TLS (443); null: the relay has no TLS listener. */
  tlsPort: number | null;
  /** How long minted credentials stay valid, in seconds. */
  ttlSeconds: number;
  /** Ports on which the relay answers STUN Binding for the apps' call ports (served by redirecting them to `port`). */
  reflectorPorts: number[];
}

export const MIN_TURN_SECRET_LENGTH = 16;
const MAX_REFLECTOR_PORTS = 64;

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = 'full';

const DEFAULT_CATALOG_PATH = fileURLToPath(new URL('../core/catalog.json', import.meta.url));

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** SQLITE_SYNCHRONOUS: when a commit is on disk (sqlite-writer.ts, README "Write path and performance"). */
function sqliteSynchronous(env: Env): SqliteSynchronous {
  const raw = (env.SQLITE_SYNCHRONOUS ?? '').toLowerCase();
  if (raw === '') return DEFAULT_SQLITE_SYNCHRONOUS;
  if (raw === 'full' || raw === 'normal') return raw;
  throw new Error(`SQLITE_SYNCHRONOUS must be full or normal, got "${raw}"`);
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false' || raw === 'off') return false;
  if (raw === '1' || raw === 'true' || raw === 'on') return true;
  throw new Error(`${name} must be 1 or 0, got "${raw}"`);
}

/** "3480,5242-5243,8801": single ports and inclusive ranges, at most 64 ports in all. */
function portList(env: Env, name: string): number[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return [];
  const ports = new Set<number>();
  for (const part of raw.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (match === null || from < 1 || to > 65_535 || to < from) throw new Error(`${name} must be ports or ranges like 3480,8801-8810, got "${part}"`);
    for (let port = from; port <= to; port++) ports.add(port);
    if (ports.size > MAX_REFLECTOR_PORTS) throw new Error(`${name} names more than ${MAX_REFLECTOR_PORTS} ports`);
  }
  return [...ports].sort((a, b) => a - b);
}

function readRelay(env: Env, cwd: string): RelayConfig | null {
  const inline = env.CIC_TURN_SECRET ?? '';
  const file = env.CIC_TURN_SECRET_FILE ?? '';
  if (inline !== '' && file !== '') throw new Error('set CIC_TURN_SECRET or CIC_TURN_SECRET_FILE, not both');
  let secret = inline;
  if (file !== '') {
    try {
      secret = readFileSync(resolve(cwd, file), 'utf8').trim();
    } catch (error) {
      throw new Error(`CIC_TURN_SECRET_FILE cannot be read: ${errorText(error)}`);
    }
  }
  const host = env.CIC_TURN_HOST ?? '';
  if (secret === '' && host === '') return null;
  if (secret === '') throw new Error('CIC_TURN_HOST is set but there is no secret: set CIC_TURN_SECRET or CIC_TURN_SECRET_FILE');
  if (host === '') throw new Error('the TURN secret is set but CIC_TURN_HOST (the relay host clients dial) is not');
  if (secret.length < MIN_TURN_SECRET_LENGTH || /\s/.test(secret)) {
    throw new Error(`the TURN secret must be at least ${MIN_TURN_SECRET_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`);
  }
  if (!/^[A-Za-z0-9.-]+$|^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$/.test(host)) throw new Error(`CIC_TURN_HOST must be a host name or address, got "${host}"`);
  const tlsPort = integer(env, 'CIC_TURN_TLS_PORT', 443, 0, 65_535);
  return {
    secret,
    host,
    port: integer(env, 'CIC_TURN_PORT', 3478, 1, 65_535),
    tlsPort: tlsPort === 0 ? null : tlsPort,
    ttlSeconds: integer(env, 'CIC_TURN_TTL', 600, 60, 86_400),
    reflectorPorts: portList(env, 'CIC_REFLECTOR_PORTS'),
  };
}

export function readConfig(env: Env, cwd: string = process.cwd()): CollectorConfig {
  const databaseUrl = env.DATABASE_URL;
  let storage: StorageConfig;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
    storage = { kind: 'postgres', url: databaseUrl };
  } else {
    storage = { kind: 'sqlite', file: resolve(cwd, env.DATA_DIR || '.collector-data', 'collector.db'), synchronous: sqliteSynchronous(env) };
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
    relay: readRelay(env, cwd),
    localRelay: (env.CIC_LOCAL_RELAY ?? '') === '' ? true : flag(env, 'CIC_LOCAL_RELAY'),
  };
}
