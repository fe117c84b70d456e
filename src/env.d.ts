// Compile-time constants injected by vite.config.ts.

/** Which browser this build is for; each build drops the other browser's code. */
declare const __BROWSER__: 'chrome' | 'firefox';
