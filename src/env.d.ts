// Compile-time constants injected by vite.config.ts.

/** Which browser this build is for; each build drops the other browser's code. */
declare const __BROWSER__: 'chrome' | 'firefox';

/** True in `vite build --mode test` (e2e fixtures and the lab), false in what ships. */
declare const __TEST_BUILD__: boolean;
