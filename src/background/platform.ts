// The one place the background picks its browser-specific parts; __BROWSER__ lets each build drop the other's code.
import type { IceHost } from './ice-host';
import { chromeIceHost } from './ice-host-chrome';

export const iceHost: IceHost = chromeIceHost;
