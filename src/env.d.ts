// Compile-time constants injected by vite.config.ts.

/** Which browser this build is for; each build drops the other browser's code. */
declare const __BROWSER__: 'chrome' | 'firefox';

/** True in `vite build --mode test` (e2e fixtures and the lab), false in what ships. */
declare const __TEST_BUILD__: boolean;

/** The Ed25519 public key (raw 32 bytes, base64) that signs collector catalogs; empty disables catalog updates. */
declare const __CATALOG_PUBLIC_KEY__: string;

/** Vite's `?url` import: the file is emitted as an asset and this is its URL. */
declare module '*?url' {
  const url: string;
  export default url;
}
