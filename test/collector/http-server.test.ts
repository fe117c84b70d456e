// The app on a real Node server: the body read from the request stream (limit included), and the connection cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/collector/app';
import { listen } from '../../src/collector/http-server';
import type { RunningServer } from '../../src/collector/http-server';
import { createJsonLogger } from '../../src/collector/logger';
import { openSqliteStore } from '../../src/collector/store-sqlite';
import type { Store } from '../../src/collector/store';
import { catalog, geo, sharedReport } from './fixtures';

let store: Store;
let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'canicall-http-'));
beforeAll(async () => {
  store = openSqliteStore(join(dir, 'collector.db'));
  const app = createApp({ store, geo, rateLimit: null, logger: createJsonLogger(() => undefined), catalog });
  server = await listen(app, '127.0.0.1', 0, { maxConnections: 3 });
});
afterAll(async () => {
  await server.stop(1_000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A POST whose body is sent in chunks without a Content-Length, so only the stream reader can enforce the limit. */
function postChunked(chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/v1/reports', method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

it('reads a chunked body from the stream, and refuses one over 64 KiB with 413', async () => {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
  const text = JSON.stringify(sharedReport({ hour }));
  const ok = await postChunked([text.slice(0, 100), text.slice(100)]);
  expect(ok.status).toBe(202);
  const big = await postChunked([text.slice(0, -1), `,"pad":"${'x'.repeat(70_000)}"}`]);
  expect(big.status).toBe(413);
  expect(await store.count()).toBe(1);
});

it('closes connections beyond MAX_CONNECTIONS as they arrive', async () => {
  // The previous test's connections (no keep-alive) are gone once the server has seen them close.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sockets = Array.from({ length: 5 }, () => {
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    return socket;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(sockets.filter((s) => !s.destroyed && !s.readableEnded)).toHaveLength(3);
  for (const socket of sockets) socket.destroy();
});
