// The relay's commands: `npm run collector` starts a local coturn when one is installed (and stops it), `npm run relay` runs one from the collector's settings.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readConfig } from '../../src/collector/config';
import { mintTurnCredentials } from '../../src/collector/turn-credentials';
import { parseTurnCredentials } from '../../src/core/turn-credentials';
import { turnAllocate } from '../support/turn-client';
import { freeLoopbackPort } from '../../tools/free-port';

const dir = mkdtempSync(join(tmpdir(), 'canicall-local-relay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Running: neither gone nor a zombie (an exited child its new parent has not reaped yet holds no port). */
function running(pid: number): boolean {
  try {
    // The state follows the command name, which is in parentheses: "pid (comm) S ...".
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function runCollector(extraEnv: Record<string, string>) {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/collector/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, DATABASE_URL: '', CATALOG_SIGNING_KEY: '', CIC_TURN_SECRET: '', CIC_TURN_SECRET_FILE: '', CIC_TURN_HOST: '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      logs += chunk;
      if (logs.includes('"msg":"listening"')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
    void exited.then((code) => reject(new Error(`collector exited (${code}) before listening: ${logs}`)));
  });
  return { base: `http://127.0.0.1:${port}`, child, exited, logs: () => logs };
}

it('starts a local coturn, serves credentials it accepts, and stops it on SIGTERM', async () => {
  const collector = await runCollector({});
  const started = collector
    .logs()
    .split('\n')
    .filter((line) => line.includes('started a local coturn'))
    .map((line) => JSON.parse(line) as { pid: number; port: number });
  expect(started, collector.logs()).toHaveLength(1);
  const { pid } = started[0] ?? { pid: 0 };
  expect(alive(pid)).toBe(true);

  const res = await fetch(`${collector.base}/v1/turn-credentials`);
  expect(res.status).toBe(200);
  const parsed = parseTurnCredentials(await res.json());
  if (!parsed.ok) throw new Error(parsed.error);
  const [udp] = parsed.credentials.uris;
  const match = /^turn:127\.0\.0\.1:(\d+)\?transport=udp$/.exec(udp ?? '');
  expect(match, udp).not.toBeNull();
  expect(await turnAllocate('127.0.0.1', Number(match?.[1]), parsed.credentials.username, parsed.credentials.credential)).toMatchObject({ kind: 'success' });

  collector.child.kill('SIGTERM');
  expect(await collector.exited).toBe(0);
  expect(alive(pid)).toBe(false);
});

it('stops its coturn and removes its config (the secret) within seconds when the collector is killed with SIGKILL', async () => {
  const collector = await runCollector({});
  const line = collector
    .logs()
    .split('\n')
    .find((l) => l.includes('started a local coturn'));
  if (line === undefined) throw new Error(`no local coturn: ${collector.logs()}`);
  const { pid, port } = JSON.parse(line) as { pid: number; port: number };
  // The pid logged is coturn's own (the watchdog execs it), and its config names the private temp dir.
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  expect(args[0]).toMatch(/turnserver$/);
  const configDir = dirname(args[args.indexOf('-c') + 1] ?? '');
  expect(existsSync(join(configDir, 'turnserver.conf'))).toBe(true);

  collector.child.kill('SIGKILL');
  await collector.exited;
  const killedAt = Date.now();
  // No exit handler runs on SIGKILL: only the watchdog can stop coturn now.
  await expect.poll(() => running(pid), { timeout: 5_000, interval: 50 }).toBe(false);
  const goneMs = Date.now() - killedAt;
  await expect.poll(() => existsSync(configDir), { timeout: 5_000, interval: 50 }).toBe(false);
  console.info(`coturn gone ${goneMs} ms after the collector's SIGKILL; its config dir ${Date.now() - killedAt} ms after`);
  // Nothing answers on its port any more.
  expect((await turnAllocate('127.0.0.1', port, 'x', 'y', 300)).kind).toBe('timeout');
});

it('starts no relay with CIC_LOCAL_RELAY=0, says so, and answers 503', async () => {
  const collector = await runCollector({ CIC_LOCAL_RELAY: '0' });
  expect(collector.logs()).not.toContain('started a local coturn');
  expect(collector.logs()).toContain('no call-test relay configured');
  expect((await fetch(`${collector.base}/v1/turn-credentials`)).status).toBe(503);
  collector.child.kill('SIGTERM');
  expect(await collector.exited).toBe(0);
});

it('npm run relay runs coturn from the collector settings: the collector and the relay share the one secret', async () => {
  const port = await freeLoopbackPort();
  const env = { CIC_TURN_SECRET: randomBytes(20).toString('hex'), CIC_TURN_HOST: '127.0.0.1', CIC_TURN_PORT: String(port), CIC_TURN_TLS_PORT: '0', CIC_RELAY_LISTEN_IPS: '127.0.0.1' };
  const printed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/relay.ts', '--print-config'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  expect(printed.status, printed.stderr).toBe(0);
  expect(printed.stdout).toContain(`static-auth-secret=${env.CIC_TURN_SECRET}\n`);
  expect(printed.stdout).toContain('use-auth-secret\n');
  expect(printed.stdout).toContain('log-file=/dev/null\n');

  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/relay.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('relay: coturn')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    void exited.then((code) => reject(new Error(`relay exited (${code}): ${out}`)));
  });
  const relay = readConfig(env).relay;
  if (relay === null) throw new Error('relay not configured');
  const credentials = mintTurnCredentials(relay, Date.now());
  expect(await turnAllocate('127.0.0.1', port, credentials.username, credentials.credential)).toMatchObject({ kind: 'success' });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect((await turnAllocate('127.0.0.1', port, credentials.username, credentials.credential, 300)).kind).toBe('timeout');
});

it('npm run relay refuses to start without a relay configured, saying what to set', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/relay.ts'], { env: { ...process.env, CIC_TURN_SECRET: '', CIC_TURN_SECRET_FILE: '', CIC_TURN_HOST: '' }, encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/CIC_TURN_SECRET.*CIC_TURN_HOST/);
});
