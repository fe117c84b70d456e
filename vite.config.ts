// Build: crxjs turns manifest.json into the Chrome extension in dist/; `--mode test` adds loopback hosts for the e2e fixtures.
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };

/** The e2e and lab fixtures listen on loopback; only a test build may reach them with webRequest detail. */
const TEST_HOSTS = ['http://127.0.0.1/*', 'https://127.0.0.1/*', 'http://localhost/*', 'https://localhost/*'];

export default defineConfig(({ mode }) => {
  const test = mode === 'test';
  const built: ManifestV3Export = test
    ? { ...manifest, host_permissions: [...manifest.host_permissions, ...TEST_HOSTS] }
    : manifest;
  return {
    plugins: [preact(), crx({ manifest: built })],
    define: {
      __BROWSER__: JSON.stringify('chrome'),
    },
    build: {
      outDir: test ? 'dist-test' : 'dist',
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: mode === 'development',
      rolldownOptions: {
        // crxjs only follows the manifest; the offscreen page must be an explicit input.
        input: { offscreen: 'src/offscreen/index.html' },
      },
    },
  };
});
