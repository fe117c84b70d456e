// Build: crxjs turns manifest.json into the Chrome extension (dist/) or, with --mode firefox, the Firefox one (dist-firefox/).
// `--mode test` / `--mode firefox-test` add loopback hosts for the e2e fixtures and trust the lab's address block.
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import { firefoxManifest } from './scripts/firefox-manifest.ts';
import { TEST_CATALOG_PUBLIC_KEY } from './test/support/catalog-test-key.ts';

/**
 * The e2e and lab fixtures listen on loopback; only a test build may reach them with webRequest detail. Names under
 * the reserved .test TLD (RFC 2606) never resolve outside a test, which makes them safe DNS-failure targets.
 */
const TEST_HOSTS = ['http://127.0.0.1/*', 'https://127.0.0.1/*', 'http://localhost/*', 'https://localhost/*', 'https://*.canicall.test/*'];

export default defineConfig(({ mode }) => {
  const firefox = mode.startsWith('firefox');
  const test = mode.endsWith('test');
  const hosts = test ? [...manifest.host_permissions, ...TEST_HOSTS] : manifest.host_permissions;
  const chrome = { ...manifest, host_permissions: hosts };
  const built = (firefox ? firefoxManifest(chrome) : chrome) as ManifestV3Export;
  return {
    plugins: [preact(), crx({ manifest: built, browser: firefox ? 'firefox' : 'chrome' })],
    define: {
      __BROWSER__: JSON.stringify(firefox ? 'firefox' : 'chrome'),
      __TEST_BUILD__: JSON.stringify(test),
      // Release builds take the catalog-signing key from the environment; without one, catalog updates stay off.
      __CATALOG_PUBLIC_KEY__: JSON.stringify(test ? TEST_CATALOG_PUBLIC_KEY : (process.env.CATALOG_PUBLIC_KEY ?? '')),
    },
    build: {
      outDir: `dist${firefox ? '-firefox' : ''}${test ? '-test' : ''}`,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: mode === 'development',
      // Chrome 116+ and Firefox 140+ (the manifests' minimums) have <link rel=modulepreload>: the polyfill is dead weight.
      modulePreload: { polyfill: false },
      rolldownOptions: {
        // crxjs only follows the manifest: pages it does not name are explicit inputs. The first-run page is opened
        // by the background; Chrome's offscreen page exists only in Chrome.
        input: {
          welcome: 'src/welcome/index.html',
          ...(firefox ? {} : { offscreen: 'src/offscreen/index.html' }),
        } as Record<string, string>,
      },
    },
  };
});
