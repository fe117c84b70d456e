// The Content-Security-Policy of the collector's HTML pages: their one inline stylesheet, by hash, and nothing else.
import { createHash } from 'node:crypto';

/**
 * The pages have no script, image, font, frame or form: only the `<style>` element whose text is `style`
 * (no `style=` attributes, which a hash cannot allow). `base-uri` and `form-action` do not fall back
 * to `default-src`, so they are closed by name.
 */
export function pageCsp(style: string): string {
  const hash = createHash('sha256').update(style, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
