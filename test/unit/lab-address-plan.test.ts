// The lab's address plan (test/lab/address-plan.ts) for the bundled catalog: IP-literal servers get lab addresses, and no check catalog names an address outside the lab.
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog';
import { parseIceUrl } from '../../src/core/ice-url';
import { addressPlan, certificateNames, inLabBlock, labCatalog } from '../lab/address-plan';
import { bundledCatalog } from './fixtures/observations';

const bundled = bundledCatalog();
const plan = addressPlan(bundled);

const iceHosts = (catalog: Catalog) => [...catalog.controls.stun, ...catalog.apps.flatMap((app) => app.media)].map((t) => parseIceUrl(t.url)?.host ?? '');

describe('lab address plan', () => {
  it("gives each of Telegram's IP-literal call servers a lab address of its own, with no DNS name or certificate", () => {
    const literals = plan.hosts.filter((h) => h.literal);
    expect(literals.map((h) => h.name).sort()).toEqual(['91.108.13.37', '91.108.17.21', '91.108.9.120']);
    for (const host of literals) {
      expect(inLabBlock(host.ip), host.name).toBe(true);
      expect(host.apps).toEqual(['telegram']);
      expect([...host.ice.entries()]).toEqual([[1400, new Set(['udp'])]]);
    }
    expect(new Set(plan.hosts.map((h) => h.ip)).size).toBe(plan.hosts.length);
    expect(certificateNames(plan)).not.toContain('91.108.13.37');
  });

  it('hands the check a catalog with those addresses replaced, everything else as bundled', () => {
    const lab = labCatalog(bundled, plan);
    const telegram = lab.apps.find((a) => a.id === 'telegram')?.media.map((t) => t.url);
    expect(telegram).toEqual(['91.108.13.37', '91.108.9.120', '91.108.17.21'].map((name) => `stun:${plan.byName.get(name)?.ip ?? '?'}:1400`));
    for (const host of iceHosts(lab)) expect(host === '' || /^[\d.]+$/.test(host) ? inLabBlock(host) : true, host).toBe(true);
    // Only the literal targets' URLs change: ids, notes, unverified marks and every other target are the bundled ones.
    const strip = (catalog: Catalog) => catalog.apps.map((app) => app.media.map((t) => ({ ...t, url: '' })));
    expect(strip(lab)).toEqual(strip(bundled));
    expect(lab.apps.flatMap((a) => a.signalling)).toEqual(bundled.apps.flatMap((a) => a.signalling));
    expect(lab.apps.flatMap((a) => a.media).filter((t) => !t.id.startsWith('telegram.'))).toEqual(bundled.apps.flatMap((a) => a.media).filter((t) => !t.id.startsWith('telegram.')));
  });

  it('refuses to give a check any address outside 198.18.0.0/15', () => {
    // A plan that does not know a literal leaves it in place: the lab must stop rather than dial it.
    const stale = addressPlan({ ...bundled, apps: bundled.apps.filter((a) => a.id !== 'telegram') });
    expect(() => labCatalog(bundled, stale)).toThrow(/would dial 91\.108\.13\.37, 91\.108\.9\.120, 91\.108\.17\.21, outside 198\.18\.0\.0\/15/);
    expect(inLabBlock('198.19.255.1')).toBe(true);
    expect(inLabBlock('198.20.0.1')).toBe(false);
    expect(inLabBlock('91.108.13.37')).toBe(false);
  });
});
