// Runs the collector API suite on SQLite files in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import { describeCollectorApi } from './api-suite';

const dir = mkdtempSync(join(tmpdir(), 'canicall-sqlite-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeCollectorApi({
  name: 'SQLite',
  newLocation: () => Promise.resolve(join(dir, `collector-${++counter}.db`)),
  open: (file) => Promise.resolve(openSqliteStore(file)),
});
