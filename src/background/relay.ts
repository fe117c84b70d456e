// The background's call-test relay credentials: the collector from the settings, cached in memory until shortly before expiry.
import browser from 'webextension-polyfill';
import { STORAGE_KEYS } from '../core/messages';
import { parseSettings } from '../core/settings';
import type { RelayCredentialsResult, TurnCredentials } from '../core/turn-credentials';
import { createRelayCredentials } from './relay-credentials';

/** Credentials, or why there are none (the setting is off, the collector is down or has no relay, the answer is invalid). */
export const fetchRelayCredentials: () => Promise<RelayCredentialsResult> = createRelayCredentials({
  settings: async () => parseSettings((await browser.storage.local.get(STORAGE_KEYS.settings))[STORAGE_KEYS.settings]),
  fetch: (url, init) => fetch(url, init),
  now: () => Date.now(),
});

/** Credentials for the relay, or undefined (the reason is logged); never throws into a check. */
export async function relayCredentials(): Promise<TurnCredentials | undefined> {
  const result = await fetchRelayCredentials();
  if (result.ok) return result.credentials;
  if (result.problem !== 'off') console.info(`call-test relay unavailable (${result.problem}): ${result.detail}`);
  return undefined;
}
