// The background's browser-specific parts: platform/current.ts picks the browser once per build.
import { browserProfile, buildBrowser } from '../platform/current';
import type { BrowserProfile } from '../platform/profile';
import type { IceHost } from './ice-host';
import { chromeIceHost } from './ice-host-chrome';
import { firefoxIceHost } from './ice-host-firefox';

export const iceHost: IceHost = buildBrowser === 'firefox' ? firefoxIceHost : chromeIceHost;

/** Browser family and major version, for reports (no other detail of the user agent is kept). */
export function browserInfo(): { family: BrowserProfile['family']; major: number } {
  const match = /(?:Chrome|Chromium|Firefox)\/(\d+)/.exec(navigator.userAgent);
  return { family: browserProfile.family, major: Number(match?.[1] ?? 0) };
}
