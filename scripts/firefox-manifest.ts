// Derives the Firefox MV3 manifest from the Chrome-shaped source manifest: the one place the two manifests differ.

interface ChromeManifest {
  permissions: string[];
  background: { service_worker: string; type?: string };
  minimum_chrome_version?: string;
  [key: string]: unknown;
}

/** Firefox 140 is the first with built-in data-collection consent (and ESR 140/153 carry it). */
export const FIREFOX_MIN_VERSION = '140.0';
/** Firefox for Android got `data_collection_permissions` only in 142; AMO's linter rejects a lower minimum there. */
export const FIREFOX_ANDROID_MIN_VERSION = '142.0';
export const GECKO_ID = 'can-i-call@canicall.org';

export function firefoxManifest(source: ChromeManifest): Record<string, unknown> {
  const { background, permissions, ...rest } = source;
  const common = Object.fromEntries(Object.entries(rest).filter(([key]) => key !== 'minimum_chrome_version'));
  return {
    ...common,
    // An event page: Firefox has no background service worker, and its background page owns RTCPeerConnection.
    background: { scripts: [background.service_worker], type: 'module' },
    // No offscreen API in Firefox: ICE probes run in the background page itself.
    permissions: permissions.filter((permission) => permission !== 'offscreen'),
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: FIREFOX_MIN_VERSION,
        // Opt-in sharing of anonymous technical results (AMO requires declaring it since 2025-11-03).
        data_collection_permissions: { required: ['none'], optional: ['technicalAndInteraction'] },
      },
      gecko_android: { strict_min_version: FIREFOX_ANDROID_MIN_VERSION },
    },
  };
}
