// A real collector on a free loopback port over SQLite in a temporary directory, its log kept in memory: for the e2e
// tests and the bench that need one (the relay's credentials, shared reports, the results page).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppOptions } from '../src/collector/app';
import { createStaticGeo } from '../src/collector/geo';
import { listen } from '../src/collector/http-server';
import { createJsonLogger } from '../src/collector/logger';
import type { Store } from '../src/collector/store';
import { openSqliteStore } from '../src/collector/store-sqlite';

export interface LocalCollector {
  /** http://127.0.0.1:<port> */
  url: string;
  store: Store;
  /** Every line the collector logged (route and status; never an address). */
  logLines: string[];
  /** How many requests the collector logged for `path`. */
  requestsTo(path: string): number;
  stop(): Promise<void>;
}

export interface LocalCollectorOptions extends Partial<Omit<AppOptions, 'store' | 'logger' | 'rateLimit'>> {
  /** Runs on the fresh store before the collector answers (generated reports, for example). */
  fill?: (store: Store) => Promise<void>;
  /** Where the log lines go (a test may hold the array before the collector starts); a new array by default. */
  logLines?: string[];
}

/** Without rate limiting, and with no known network unless `geo` says so. */
export async function startLocalCollector({ fill, logLines = [], ...options }: LocalCollectorOptions = {}): Promise<LocalCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'cic-collector-'));
  const store = openSqliteStore(join(dir, 'collector.db'));
  try {
    await fill?.(store);
    const app = createApp({ geo: createStaticGeo({}), ...options, store, rateLimit: null, logger: createJsonLogger((line) => logLines.push(line)) });
    const server = await listen(app, '127.0.0.1', 0);
    return {
      url: `http://127.0.0.1:${server.port}`,
      store,
      logLines,
      requestsTo: (path) => logLines.filter((line) => line.includes(`"path":"${path}"`)).length,
      async stop() {
        await server.stop();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
