// The one place the background picks its browser-specific parts; __BROWSER__ lets each build drop the other's code.
import type { IceHost } from './ice-host';
import { chromeIceHost } from './ice-host-chrome';
import { firefoxIceHost } from './ice-host-firefox';

export const iceHost: IceHost = __BROWSER__ === 'firefox' ? firefoxIceHost : chromeIceHost;

/** Browser family and major version, for reports (no other detail of the user agent is kept). */
export function browserInfo(): { family: 'chrome' | 'firefox'; major: number } {
  const match = /(?:Chrome|Chromium|Firefox)\/(\d+)/.exec(navigator.userAgent);
  return { family: __BROWSER__, major: Number(match?.[1] ?? 0) };
}
