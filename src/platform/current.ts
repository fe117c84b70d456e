// The one place a build picks its browser: __BROWSER__ is a constant, so each build drops the other browser's profile,
// and code that chooses by `buildBrowser` (background/platform.ts: the ICE host) drops the other browser's part too.
import { chromeProfile } from './chrome';
import { firefoxProfile } from './firefox';
import type { BrowserProfile } from './profile';

export const buildBrowser: BrowserProfile['family'] = __BROWSER__;

export const browserProfile: BrowserProfile = buildBrowser === 'firefox' ? firefoxProfile : chromeProfile;
