// The HTTP probe: one fetch with its own deadline, classified from what webRequest saw; any HTTP answer means reachable.
import type { HttpProbeResult } from '../core/report';
import { classifyHttpError } from '../core/classify-http-error';
import { resourceTiming } from './resource-timing';
import { TOKEN_PARAM, newToken, watchRequest } from './web-request-observer';

/** How long to wait after fetch settles for webRequest's final event (it usually comes first). */
const SETTLE_MS = 250;
/** How long to wait for the Resource Timing entry; without it the result simply has no phases. */
const TIMING_WAIT_MS = 300;

export interface HttpProbeTarget {
  id: string;
  url: string;
}

export async function probeHttp(target: HttpProbeTarget, deadlineMs: number, signal?: AbortSignal): Promise<HttpProbeResult> {
  const token = newToken();
  const url = new URL(target.url);
  url.searchParams.set(TOKEN_PARAM, token);
  const watch = watchRequest(token);
  const deadline = AbortSignal.timeout(deadlineMs);
  const started = performance.now();
  let fetchError: unknown = null;
  let status: number | undefined;
  try {
    const response = await fetch(url, {
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'manual',
      signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
    });
    status = response.type === 'opaqueredirect' ? undefined : response.status;
    // The body is not needed; release the connection.
    await response.body?.cancel().catch(() => undefined);
  } catch (error) {
    fetchError = error;
  }
  const ms = Math.round(performance.now() - started);
  const [seen, timing] = await Promise.all([
    watch.settled(SETTLE_MS),
    // Phases exist only for requests that got an answer (browser-behaviour.md §9).
    fetchError === null ? resourceTiming(url.href, TIMING_WAIT_MS) : Promise.resolve(undefined),
  ]);
  watch.dispose();

  const httpStatus = seen.statusCode ?? status;
  if (fetchError === null || (httpStatus !== undefined && seen.error === undefined)) {
    return {
      id: target.id,
      outcome: 'reachable',
      ms,
      ...(httpStatus !== undefined ? { status: httpStatus } : {}),
      ...(seen.ip ? { ip: seen.ip } : {}),
      ...(timing ? { timing } : {}),
    };
  }
  const ourDeadline = deadline.aborted;
  const raw = seen.error ?? (fetchError instanceof Error ? `${fetchError.name}: ${fetchError.message}` : String(fetchError));
  return {
    id: target.id,
    outcome: 'failed',
    ms,
    // Without host permission webRequest sees nothing; our own deadline still tells a timeout.
    failure: seen.error === undefined && ourDeadline ? 'generic_timeout_error' : classifyHttpError(seen.error ?? '', { abortedByUs: ourDeadline }),
    rawError: raw,
    ...(seen.ip ? { ip: seen.ip } : {}),
  };
}
