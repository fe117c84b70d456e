// Runs the collector API suite on a real PostgreSQL server started for this file; missing binaries fail the run.
import { afterAll, beforeAll } from 'vitest';
import { openPostgresStore } from '../../src/collector/store-postgres';
import { describeCollectorApi } from './api-suite';
import { startPostgres } from './postgres';
import type { TestPostgres } from './postgres';

let server: TestPostgres | undefined;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

describeCollectorApi({
  name: 'PostgreSQL',
  newLocation: () => {
    if (server === undefined) throw new Error('PostgreSQL did not start (see the beforeAll error)');
    return server.createDatabase();
  },
  open: (url) => openPostgresStore(url),
});
