// Runs the Hono app on a Node HTTP server and stops it without dropping requests already being handled.
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Env } from 'hono';
import { fastPathOf } from './app';

export interface RunningServer {
  host: string;
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (each one that answered 202 has
   * committed its report), then resolves. After `timeoutMs` the remaining connections are cut:
   * their clients saw no 202 and retry, and the report id makes the retry idempotent.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export interface ListenOptions {
  /** Connections beyond this are closed as they arrive: each costs memory and a file descriptor. */
  maxConnections?: number;
}

export function listen<E extends Env>(app: Hono<E>, host: string, port: number, options: ListenOptions = {}): Promise<RunningServer> {
  const viaHono = getRequestListener(app.fetch);
  // A report is served without Hono's web Request and Response (reports-fast-path.ts); every other request goes through Hono.
  const fast = fastPathOf(app);
  const server = createServer(fast === undefined ? viaHono : (req, res) => {
    if (!fast(req, res)) void viaHono(req, res);
  });
  server.maxConnections = options.maxConnections ?? 1_000;
  // A client that trickles its body cannot hold a connection for Node's default five minutes.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 10_000) => {
    stopping ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
      force.unref();
      // A keep-alive connection becomes idle once its last response is sent; closing idle ones
      // repeatedly lets close() finish without waiting for the keep-alive timeout.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearTimeout(force);
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
    return stopping;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('server is not listening on a TCP port'));
      else resolve({ host, port: address.port, stop });
    });
  });
}
