// Watches the extension's own probe requests through webRequest: the server ip and status on success, the browser's error string on failure.
import browser from 'webextension-polyfill';

/**
 * Query parameter that carries a per-request token, so a webRequest event can be tied to one probe. Over plain
 * HTTP the network sees it, so it looks like the ubiquitous cache-buster (`_=` and a millisecond-like number) and
 * names nothing.
 */
export const TOKEN_PARAM = '_';

/** A fresh token: thirteen digits, like a millisecond timestamp, random so concurrent probes never share one. */
export function newToken(): string {
  const [value = 0] = crypto.getRandomValues(new Uint32Array(1));
  return String(1_700_000_000_000 + (value % 1_000_000_000) * 1000 + Math.floor(Math.random() * 1000));
}

export interface RequestSighting {
  ip?: string;
  statusCode?: number;
  redirectTo?: string;
  error?: string;
  /** Set once onCompleted or onErrorOccurred fired. */
  done: boolean;
}

const byToken = new Map<string, RequestSighting>();
const waiters = new Map<string, () => void>();

function tokenOf(url: string): string | null {
  try {
    return new URL(url).searchParams.get(TOKEN_PARAM);
  } catch {
    return null;
  }
}

function update(url: string, change: Partial<RequestSighting>): void {
  const token = tokenOf(url);
  if (!token) return;
  const sighting = byToken.get(token);
  if (!sighting) return;
  Object.assign(sighting, change);
  if (sighting.done) waiters.get(token)?.();
}

/** Registers the listeners; called once at the top level of the background script. */
export function installWebRequestObserver(): void {
  const filter = { urls: ['<all_urls>'] };
  browser.webRequest.onHeadersReceived.addListener((d) => update(d.url, { statusCode: d.statusCode }), filter);
  browser.webRequest.onBeforeRedirect.addListener(
    (d) => update(d.url, { statusCode: d.statusCode, redirectTo: d.redirectUrl, ...(d.ip ? { ip: d.ip } : {}) }),
    filter,
  );
  browser.webRequest.onResponseStarted.addListener((d) => update(d.url, { statusCode: d.statusCode, ...(d.ip ? { ip: d.ip } : {}) }), filter);
  browser.webRequest.onCompleted.addListener((d) => update(d.url, { statusCode: d.statusCode, ...(d.ip ? { ip: d.ip } : {}), done: true }), filter);
  browser.webRequest.onErrorOccurred.addListener((d) => update(d.url, { error: d.error, ...(d.ip ? { ip: d.ip } : {}), done: true }), filter);
}

/** Starts watching for a token; `settled(ms)` waits at most `ms` for the final event, then returns what was seen. */
export function watchRequest(token: string): { sighting: RequestSighting; settled(maxWaitMs: number): Promise<RequestSighting>; dispose(): void } {
  const sighting: RequestSighting = { done: false };
  byToken.set(token, sighting);
  return {
    sighting,
    settled(maxWaitMs) {
      if (sighting.done) return Promise.resolve(sighting);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(sighting), maxWaitMs);
        waiters.set(token, () => {
          clearTimeout(timer);
          resolve(sighting);
        });
      });
    },
    dispose() {
      byToken.delete(token);
      waiters.delete(token);
    },
  };
}
