// POST /v1/reports served straight from Node's request listener: the same intake, headers and log line as through Hono,
// without building a web Request and Response for each report.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorText } from '../core/error-text';
import type { Logger } from './logger';
import { streamBody } from './reports-route';
import type { ReportAnswer, ReportRequest } from './reports-route';
import type { RouteContext } from './route-context';

export const EXTENSION_ORIGIN = /^(chrome-extension:\/\/[a-p]{32}|moz-extension:\/\/[0-9a-f-]{36})$/;

/**
 * What hono/secure-headers sets with app.ts's options, in its order; test/collector/reports-fast-path.test.ts holds
 * this list equal to the middleware's answer.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The request line the extension sends; anything else (a query string, a trailing slash, another method) goes to Hono. */
function isReportPost(req: IncomingMessage): boolean {
  return req.method === 'POST' && req.url === '/v1/reports';
}

function answerHeaders(answer: Pick<ReportAnswer, 'retryAfter'>, origin: string | undefined, length: number): Record<string, string | number> {
  const headers: Record<string, string | number> = {};
  if (origin !== undefined && EXTENSION_ORIGIN.test(origin)) headers['Access-Control-Allow-Origin'] = origin;
  headers['Access-Control-Expose-Headers'] = 'Retry-After';
  for (const [name, value] of SECURITY_HEADERS) headers[name] = value;
  headers['Content-Type'] = 'application/json';
  if (answer.retryAfter !== undefined) headers['Retry-After'] = answer.retryAfter;
  headers.Vary = 'Origin';
  headers['Content-Length'] = length;
  return headers;
}

/**
 * Takes `POST /v1/reports` off Hono (returns false for every other request): its middleware and route cost about
 * a quarter of the event loop's time per report. Answers as app.ts's chain would, status, headers, body and log line.
 */
export function reportsFastPath(
  context: RouteContext,
  logger: Logger,
  intake: (request: ReportRequest) => Promise<ReportAnswer>,
): FastPath {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const { headers } = req;
    let status: number;
    let body: ReportAnswer['body'];
    let outcome: ReportAnswer['outcome'] | undefined;
    let retryAfter: string | undefined;
    try {
      const forwarded = headers['x-forwarded-for'];
      const answer = await intake({
        contentType: headers['content-type'],
        contentLength: headers['content-length'],
        address: context.nodeClientAddress(Array.isArray(forwarded) ? forwarded.join(', ') : forwarded, req.socket.remoteAddress),
        body: streamBody(req),
      });
      ({ status, body, outcome, retryAfter } = answer);
    } catch (error) {
      // As app.ts's onError: the message is the server's own (storage, geo); the client address is never passed to either.
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: errorText(error) };
      logger.error('unhandled error', { name, message: message.slice(0, 500) });
      status = 500;
      body = { error: 'internal error' };
    }
    const text = JSON.stringify(body);
    const origin = headers.origin;
    res.writeHead(status, answerHeaders(retryAfter === undefined ? {} : { retryAfter }, origin, Buffer.byteLength(text)));
    res.end(text);
    logger.info('request', {
      method: 'POST',
      path: '/v1/reports',
      status,
      ms: Math.round(performance.now() - started),
      ...(outcome === undefined ? {} : { outcome }),
    });
  };
  return (req, res) => {
    if (!isReportPost(req)) return false;
    serve(req, res).catch((error: unknown) => {
      // Only writing the answer is left outside serve's own catch: the connection is gone, nothing more can be said on it.
      logger.error('unhandled error', { name: error instanceof Error ? error.name : 'unknown', message: errorText(error).slice(0, 500) });
      res.destroy();
    });
    return true;
  };
}
