// Starts a throwaway PostgreSQL server (initdb + pg_ctl) in a temp dir on a free loopback port, for the collector tests and `npm run bench:collector`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from './free-port';

export interface TestPostgres {
  /** A new empty database on the server, so each test starts from a clean schema. */
  createDatabase(): Promise<string>;
  /** Stops the server as a crash would (immediate: no checkpoint), keeping its data. */
  crash(): void;
  /** Starts it again on the same port and data after crash(). */
  start(): void;
  stop(): void;
}

const INSTALL_HINT = 'install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql) or set PG_BIN to their directory';

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl. */
export function findPostgresBin(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`PG_BIN=${fromEnv} has no initdb: ${INSTALL_HINT}`);
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(`PostgreSQL server binaries not found under ${root}: ${INSTALL_HINT}`);
}

/**
 * initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser) in a
 * directory that user owns; as any other user it runs as that user.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** durable: fsync on, as a real server runs (the benchmark); the tests turn it off, their data is thrown away. */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(join(tmpdir(), 'canicall-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]) => {
    const [cmd, argv] = asServerUser(join(bin, command), args);
    const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) {
      throw new Error(`${command} failed (${result.status ?? result.signal ?? 'no status'}): ${result.stderr}${result.stdout}`);
    }
  };

  const stop = () => {
    if (!existsSync(dir)) return;
    const [cmd, argv] = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, argv, { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  // If the test process dies without afterAll, the server must not outlive it.
  process.once('exit', stop);

  const start = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      // Loopback TCP only, sockets in the temp dir.
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}${options.durable === true ? '' : ' -c fsync=off -c full_page_writes=off'}`,
      'start',
    ]);
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    start();
  } catch (error) {
    stop();
    throw error;
  }

  let counter = 0;
  return {
    async createDatabase() {
      counter += 1;
      const name = `collector_test_${counter}`;
      const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    crash() {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    stop() {
      process.off('exit', stop);
      stop();
    },
  };
}
