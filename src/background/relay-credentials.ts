// Gets and caches call-test relay credentials from the collector, only while the person allows the relay; never throws.
import type { Settings } from '../core/settings';
import { credentialsFresh, parseTurnCredentials, type RelayCredentialsResult, type TurnCredentials } from '../core/turn-credentials';
import { errorText } from '../core/error-text';

export interface RelayCredentialsDeps {
  settings(): Promise<Settings>;
  fetch(url: URL, init: RequestInit): Promise<Response>;
  now(): number;
}

const FETCH_TIMEOUT_MS = 5_000;

/**
 * The setting is read on every call and checked before anything else: while it is off nothing is
 * fetched and any cached credentials are dropped. One request at a time; concurrent callers share it.
 */
export function createRelayCredentials(deps: RelayCredentialsDeps): () => Promise<RelayCredentialsResult> {
  let cached: { collectorUrl: string; credentials: TurnCredentials } | undefined;
  let pending: Promise<RelayCredentialsResult> | undefined;

  const fetchFresh = async (collectorUrl: string): Promise<RelayCredentialsResult> => {
    let response: Response;
    try {
      response = await deps.fetch(new URL('/v1/turn-credentials', collectorUrl), {
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (error) {
      return { ok: false, problem: 'collector_unreachable', detail: errorText(error) };
    }
    if (response.status === 503) return { ok: false, problem: 'relay_unavailable', detail: 'the collector has no call-test relay' };
    if (!response.ok) return { ok: false, problem: 'collector_unreachable', detail: `the collector answered HTTP ${response.status}` };
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, problem: 'invalid_answer', detail: 'the collector did not answer JSON' };
    }
    const parsed = parseTurnCredentials(body);
    if (!parsed.ok) return { ok: false, problem: 'invalid_answer', detail: parsed.error };
    // Credentials already (nearly) expired by our clock are as good as none: the relay would refuse them.
    if (!credentialsFresh(parsed.credentials, deps.now())) return { ok: false, problem: 'invalid_answer', detail: 'the credentials expire too soon (is the clock right?)' };
    cached = { collectorUrl, credentials: parsed.credentials };
    return { ok: true, credentials: parsed.credentials };
  };

  return async () => {
    let settings: Settings;
    try {
      settings = await deps.settings();
    } catch (error) {
      return { ok: false, problem: 'off', detail: `settings could not be read: ${errorText(error)}` };
    }
    if (!settings.callTestRelay) {
      cached = undefined;
      return { ok: false, problem: 'off', detail: 'the call-test relay is turned off in the options' };
    }
    if (cached !== undefined && cached.collectorUrl === settings.collectorUrl && credentialsFresh(cached.credentials, deps.now())) {
      return { ok: true, credentials: cached.credentials };
    }
    cached = undefined;
    pending ??= fetchFresh(settings.collectorUrl).finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
