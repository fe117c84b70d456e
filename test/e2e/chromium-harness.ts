// Chromium as the extension contract runs it: the extension launched by tools/chromium-extension.ts, with what Chromium measures its own way.
import { CONTROLS } from '../../src/core/deadlines';
import { launchExtension } from '../../tools/chromium-extension';
import type { ExtensionHarness } from './extension-contract';

export const chromiumHarness: ExtensionHarness = {
  profile: {
    name: 'Chromium',
    family: 'chrome',
    background: 'service worker',
    // Chrome retransmits after 250, 750 ms; its prober shares one connection among eight exchanges.
    stunLoss: { exchanges: 8, firstStepMs: 250 },
    // A per-app burst: two connections of eight sections.
    turnLoss: { exchanges: 16, firstStepMs: 250 },
    checkLossExchanges: CONTROLS.lossExchanges,
    untrustedTurns: { transport: 'tls' },
    closedTcp: {},
    fetchTiming: true,
    // Messaging and the offscreen document's start-up, far below Chrome's own 40 s give-up.
    iceDeadlineSlackMs: 5000,
    // webRequest hands over Chromium's net error codes.
    http: {
      refused: { rawError: 'net::ERR_CONNECTION_REFUSED' },
      reset: { rawError: 'net::ERR_CONNECTION_RESET' },
      wrongHost: { failure: 'ssl_invalid_hostname', rawError: 'net::ERR_CERT_COMMON_NAME_INVALID' },
      unknownCa: { failure: 'ssl_unknown_authority', rawError: 'net::ERR_CERT_AUTHORITY_INVALID' },
      notTls: { failure: 'ssl_failed_handshake', rawError: 'net::ERR_SSL_PROTOCOL_ERROR' },
      hang: {},
    },
  },
  launch: (options) => launchExtension(options),
};
