// The bundled catalog: schema, ids, URLs, ports the browsers accept, sources, and the apps users expect.
import { describe, expect, it } from 'vitest';
import { isOwnMedia, parseCatalog } from '../../src/core/catalog';
import catalogData from '../../src/core/catalog.json';
import { parseIceUrl } from '../../src/core/ice-url';
import { bundledCatalog, httpTargets, iceTargets } from './fixtures/observations';

// Fetch "bad ports" (fetch.spec.whatwg.org#port-blocking, browser-behaviour.md §7).
const FETCH_BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540,
  548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000,
  6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const EXPECTED_APPS = [
  'whatsapp',
  'messenger',
  'viber',
  'teams',
  'facetime',
  'meet',
  'tango',
  'imo',
  'teamspeak',
  'telegram',
  'signal',
  'zoom',
  'discord',
  'botim',
  'slack',
  'jitsi',
];

const catalog = bundledCatalog();
const http = httpTargets(catalog);
const ice = iceTargets(catalog);

describe('bundled catalog', () => {
  it('validates against the catalog schema', () => {
    expect(parseCatalog(catalogData)).toMatchObject({ ok: true });
    expect(catalog.version).toMatch(/^2026\.\d{2}\.\d{2}$/);
  });

  it('has every app users ask about, with unique ids across apps and targets', () => {
    expect(catalog.apps.map((app) => app.id).sort()).toEqual([...EXPECTED_APPS].sort());
    const ids = [...catalog.apps.map((app) => app.id), ...http.map((t) => t.id), ...ice.map((t) => t.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects a duplicated target id (the uniqueness rule is enforced, not just true today)', () => {
    const copy = structuredClone(catalogData);
    const duplicate = { ...copy.controls.stun[0], id: 'whatsapp.web' };
    const broken = { ...copy, controls: { ...copy.controls, stun: [...copy.controls.stun, duplicate] } };
    expect(parseCatalog(broken)).toEqual({ ok: false, error: 'invalid catalog: duplicate id "whatsapp.web"' });
  });

  it('rejects a media target on a control\'s server that does not say so, and sharing with anything but a STUN control', () => {
    const meet = (change: Record<string, unknown>) => {
      const copy = structuredClone(catalogData);
      const app = copy.apps.find((a) => a.id === 'meet');
      if (app === undefined) throw new Error('no meet');
      app.media = app.media.map((t) => ({ ...t, ...change }));
      return parseCatalog(copy);
    };
    expect(meet({ sharedWith: undefined })).toEqual({
      ok: false,
      error: 'invalid catalog: meet.media.stun uses the server of control control.stun.google: mark it sharedWith',
    });
    expect(meet({ sharedWith: 'jitsi.media.stun' })).toEqual({
      ok: false,
      error: 'invalid catalog: meet.media.stun is sharedWith "jitsi.media.stun", which is not a STUN control',
    });
    expect(meet({ sharedWith: 'control.http.google' })).toMatchObject({ ok: false });
  });

  it('rejects a UDP port without a source, and a sourced port the app does not list', () => {
    const zoom = (change: Record<string, unknown>) => {
      const copy = structuredClone(catalogData);
      const index = copy.apps.findIndex((a) => a.id === 'zoom');
      copy.apps[index] = { ...copy.apps[index], ...change } as (typeof copy.apps)[number];
      return parseCatalog(copy);
    };
    const listed = catalog.apps.find((a) => a.id === 'zoom')?.udpPorts ?? [];
    expect(zoom({ udpPorts: [...listed, 9999] })).toEqual({ ok: false, error: 'invalid catalog: zoom lists UDP port 9999 without a source' });
    expect(zoom({ udpPorts: listed.filter((p) => p !== 8810) })).toEqual({
      ok: false,
      error: 'invalid catalog: zoom gives a source for UDP port 8810, which it does not list',
    });
  });

  it('uses http(s) URLs on ports fetch allows', () => {
    for (const target of http) {
      const url = new URL(target.url);
      expect(['http:', 'https:'], target.id).toContain(url.protocol);
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      expect(FETCH_BAD_PORTS.has(port), `${target.id} uses fetch bad port ${port}`).toBe(false);
    }
  });

  it('uses ICE URLs a browser parses, with TURN only on 80, 443 or >= 1024 (never 53)', () => {
    for (const target of ice) {
      const url = parseIceUrl(target.url);
      expect(url, target.id).not.toBeNull();
      if (url === null || url.scheme === 'stun') continue;
      expect(url.port === 80 || url.port === 443 || url.port >= 1024, `${target.id} TURN port ${url.port}`).toBe(true);
      // Credentials are the prober's (dummy, non-empty), never the catalog's.
      expect(target.url, target.id).not.toMatch(/@|username|credential/);
    }
  });

  it('gives every target and app a source URL', () => {
    for (const target of [...http, ...ice]) expect(() => new URL(target.source), target.id).not.toThrow();
    for (const app of catalog.apps) {
      expect(app.sources.length, app.id).toBeGreaterThan(0);
      for (const source of app.sources) expect(() => new URL(source), app.id).not.toThrow();
    }
    expect(() => new URL(catalog.controls.doh ?? '')).not.toThrow();
  });

  it('says what every media target is, and gives a source for every port and every note', () => {
    for (const app of catalog.apps) {
      for (const target of app.media) expect(target.note?.trim(), `${target.id} has a note`).toBeTruthy();
      // Every listed UDP port has a source (parseCatalog checks the groups against udpPorts).
      if (app.udpPorts.length > 0) expect(app.udpPortSources, `${app.id} port sources`).toBeDefined();
      for (const group of app.udpPortSources ?? []) expect(() => new URL(group.source), app.id).not.toThrow();
      for (const note of app.notes ?? []) {
        expect(note.sources.length, app.id).toBeGreaterThan(0);
        for (const source of note.sources) expect(() => new URL(source), app.id).not.toThrow();
      }
    }
  });

  it('names an IP literal only for an unverified STUN server (the lab serves it at a lab address), every other host by name', () => {
    const named = [...http.map((t) => new URL(t.url).hostname), ...ice.filter((t) => t.unverified === undefined).map((t) => parseIceUrl(t.url)?.host ?? '')];
    if (catalog.controls.doh) named.push(new URL(catalog.controls.doh).hostname);
    for (const host of named) {
      expect(host, 'a name').toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      expect(host, 'not an address').not.toMatch(/^[\d.]+$|:/);
    }
    const literals = ice.filter((t) => /^[\d.]+$/.test(parseIceUrl(t.url)?.host ?? ''));
    expect(literals.map((t) => t.id).sort()).toEqual(['telegram.media.stun-1', 'telegram.media.stun-2', 'telegram.media.stun-3']);
    // STUN only: a turns: to an address is skipped by Firefox, and TURN would need the app's per-call credentials.
    for (const target of literals) expect(parseIceUrl(target.url)?.scheme, target.id).toBe('stun');
  });

  it('says why every unverified server is unverified, and allows the mark on an app\'s own media only', () => {
    const unverified = ice.filter((t) => t.unverified !== undefined);
    expect(unverified.map((t) => t.id).sort()).toEqual(['meet.relay.tls', 'telegram.media.stun-1', 'telegram.media.stun-2', 'telegram.media.stun-3']);
    for (const target of unverified) expect(target.unverified?.why.trim(), target.id).toBeTruthy();
    const mark = { unverified: { why: 'never probed' } };
    const copy = structuredClone(catalogData);
    copy.controls.stun = copy.controls.stun.map((t, i) => (i === 0 ? { ...t, ...mark } : t));
    expect(parseCatalog(copy)).toEqual({ ok: false, error: 'invalid catalog: control control.stun.cloudflare is unverified: a control must be a server known to answer' });
    const shared = structuredClone(catalogData);
    const signal = shared.apps.find((a) => a.id === 'signal');
    if (signal === undefined) throw new Error('no signal');
    signal.media = signal.media.map((t) => ({ ...t, ...mark }));
    expect(parseCatalog(shared)).toMatchObject({ ok: false, error: expect.stringMatching(/signal.relay.udp is both sharedWith a control and unverified/) });
    const noWhy = structuredClone(catalogData);
    const meet = noWhy.apps.find((a) => a.id === 'meet');
    if (meet === undefined) throw new Error('no meet');
    meet.media = meet.media.map((t) => (t.id === 'meet.relay.tls' ? { ...t, unverified: { why: '' } } : t));
    expect(parseCatalog(noWhy)).toMatchObject({ ok: false });
  });

  it('marks every media target on a control\'s server as shared, and counts only the others as an app\'s own', () => {
    const controlHosts = new Set(catalog.controls.stun.map((t) => parseIceUrl(t.url)?.host));
    for (const target of catalog.apps.flatMap((app) => app.media)) {
      if (controlHosts.has(parseIceUrl(target.url)?.host)) expect(target.sharedWith, target.id).toBeDefined();
    }
    // Cloudflare's TURN is the same anycast service as its STUN control, though the names differ.
    const signal = catalog.apps.find((app) => app.id === 'signal');
    expect(signal?.media.map((t) => t.sharedWith)).toEqual(['control.stun.cloudflare', 'control.stun.cloudflare', 'control.stun.cloudflare']);
    const tested = catalog.apps.filter((app) => app.media.some(isOwnMedia)).map((app) => app.id);
    // Telegram's call servers and Meet's TLS relay are unverified (their answer counts, their silence not); Viber's
    // relay is an AWS address seen once, FaceTime's, Discord's and Signal's need per-call credentials (each app's notes).
    expect(tested.sort()).toEqual(['jitsi', 'meet', 'messenger', 'slack', 'teams', 'telegram', 'whatsapp', 'zoom']);
  });

  it('has controls that can tell offline and captive portals apart from blocking', () => {
    // Every HTTP control states the status a healthy network gives, so a portal's answer stands out.
    for (const control of catalog.controls.http) expect(control.expectStatus, control.id).toBeDefined();
    expect(catalog.controls.http.some((c) => c.url.startsWith('http:')), 'a plain-HTTP control for portals').toBe(true);
    const stun = catalog.controls.stun.map((t) => parseIceUrl(t.url));
    const hosts = new Set(stun.map((u) => u?.host.split('.').slice(-2).join('.')));
    const ports = new Set(stun.map((u) => u?.port));
    expect(hosts.size, 'STUN control operators').toBeGreaterThanOrEqual(3);
    expect(ports.size, 'STUN control ports').toBeGreaterThanOrEqual(3);
    expect(ports.has(443), 'a UDP 443 STUN control').toBe(true);
  });

  it('expects Signal hosts to present their private CA, and nothing else to fail', () => {
    const signal = catalog.apps.find((app) => app.id === 'signal');
    expect(signal?.signalling.every((t) => t.expectFailure === 'ssl_unknown_authority')).toBe(true);
    const others = http.filter((t) => !t.id.startsWith('signal.'));
    expect(others.every((t) => t.expectFailure === undefined)).toBe(true);
  });

  it('keeps each app to what a few-second check affords, with at least one signalling host', () => {
    for (const app of catalog.apps) {
      expect(app.signalling.length, `${app.id} has signalling`).toBeGreaterThan(0);
      const count = app.signalling.length + app.media.length;
      expect(count, app.id).toBeLessThanOrEqual(5);
      expect(app.transports[0], `${app.id} prefers UDP`).toBe('udp');
    }
  });

  it('notes that consumer Skype was retired on the Teams entry', () => {
    expect(catalog.apps.find((app) => app.id === 'teams')?.noteKey).toBe('note_skype_retired');
  });
});
