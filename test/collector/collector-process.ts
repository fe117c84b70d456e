// The real collector process on loopback, for the tests that signal or kill it: SQLite in `dataDir`, no catalog, no relay.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sharedReport } from './fixtures';

export interface CollectorProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  base: string;
  /** Everything it printed so far. */
  logs: string[];
  /** Its exit: the code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts it and resolves once it says it is listening; rejects with its output if it exits first. */
export async function startCollectorProcess(port: number, dataDir: string, env: Record<string, string> = {}): Promise<CollectorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/collector/main.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      RATE_LIMIT: 'off',
      CATALOG_PATH: join(dataDir, 'no-catalog.json'),
      CATALOG_SIGNING_KEY: '',
      CIC_LOCAL_RELAY: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      logs.push(chunk);
      if (logs.join('').includes('"msg":"listening"')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
    void exited.then(({ code, signal }) => reject(new Error(`collector exited (${signal ?? code}) before listening: ${logs.join('')}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, logs, exited };
}

/** A report for the current hour: the real process uses the real clock. */
export function reportThisHour() {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  return sharedReport({ hour });
}
