// The shipped manifest asks for exactly the hosts the bundled catalog probes: nothing broader, nothing missing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/core/catalog';

const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { host_permissions: string[]; permissions: string[] };
const parsed = parseCatalog(JSON.parse(readFileSync('src/core/catalog.json', 'utf8')));

describe('manifest.json', () => {
  it('has host permissions for exactly the catalog hosts fetched over HTTP(S)', () => {
    if (!parsed.ok) throw new Error(parsed.error);
    const { catalog } = parsed;
    const urls = [...catalog.controls.http, ...catalog.apps.flatMap((app) => app.signalling)].map((t) => t.url);
    if (catalog.controls.doh) urls.push(catalog.controls.doh);
    const expected = [...new Set(urls.map((url) => `${new URL(url).protocol}//${new URL(url).hostname}/*`))].sort();
    expect([...manifest.host_permissions].sort()).toEqual(expected);
  });

  it('never asks for every site', () => {
    expect(manifest.host_permissions.some((p) => p.includes('<all_urls>') || p.includes('*://*/'))).toBe(false);
  });

  it('asks for the permissions the probes need and no others', () => {
    expect([...manifest.permissions].sort()).toEqual(['alarms', 'offscreen', 'storage', 'webRequest']);
  });
});
