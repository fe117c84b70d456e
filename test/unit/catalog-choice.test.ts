// Which catalog a check runs: override or bundled, plus the user's own servers as relay-only apps judged on calls alone.
import { describe, expect, it } from 'vitest';
import bundled from '../../src/core/catalog.json';
import { catalogInUse } from '../../src/core/catalog-choice';
import { judge } from '../../src/core/verdict';
import type { Catalog } from '../../src/core/catalog';

const SOURCE = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/src/options/index.html';
const relay = { url: 'turns:relay.example.org:443?transport=tcp', label: 'Office relay' };

function chosen(stored: unknown, servers = [relay]): Catalog {
  const result = catalogInUse(stored, servers, SOURCE, bundled);
  if (!result.ok) throw new Error(result.error);
  return result.catalog;
}

describe('catalogInUse', () => {
  it('uses the bundled catalog when nothing valid is stored, and says why a stored one was ignored', () => {
    expect(chosen(undefined, []).version).toBe(bundled.version);
    const result = catalogInUse({ version: 'nope' }, [], SOURCE, bundled);
    expect(result.ok && result.catalog.version).toBe(bundled.version);
    expect(result.ignored).toMatch(/invalid catalog/);
  });

  it('uses a valid stored catalog', () => {
    expect(chosen({ ...bundled, version: '2099.01.01' }, []).version).toBe('2099.01.01');
  });

  it("adds each of the user's servers as one more app, named by its label, probed over its own transport", () => {
    const custom = chosen(undefined).apps.at(-1);
    expect(custom).toMatchObject({
      id: 'custom-1',
      name: 'Office relay',
      signalling: [],
      media: [{ id: 'custom-1.server', url: relay.url, source: SOURCE }],
      transports: ['tls'],
    });
  });
});

describe('a user relay in the verdict', () => {
  const catalog = chosen(undefined);
  const controls = {
    http: catalog.controls.http.map((t) => ({ id: t.id, outcome: 'reachable' as const, status: t.expectStatus ?? 200, ms: 40 })),
    nat: { mapping: 'endpoint-independent' as const, answered: catalog.controls.stun.map((s) => s.id), srflxCount: 1, ipv6: false, ms: 30 },
  };
  const observe = (outcome: 'reachable' | 'unreachable') => ({
    http: controls.http,
    ice: [
      outcome === 'reachable'
        ? { id: 'custom-1.server', scheme: 'turns' as const, transport: 'tls' as const, port: 443, outcome, evidence: 'server-error' as const, errorCode: 401, ms: 80 }
        : { id: 'custom-1.server', scheme: 'turns' as const, transport: 'tls' as const, port: 443, outcome, evidence: 'error-701' as const, errorCode: 701, failure: 'connection_refused' as const, ms: 20 },
    ],
    dns: [],
    nat: controls.nat,
  });

  it('works when the relay answers, with messaging left unknown', () => {
    const verdict = judge(catalog, observe('reachable')).apps.find((a) => a.appId === 'custom-1');
    expect(verdict).toMatchObject({ verdict: 'works', messaging: 'unknown', calls: 'reachable' });
  });

  it('is blocked when the relay cannot be reached', () => {
    const verdict = judge(catalog, observe('unreachable')).apps.find((a) => a.appId === 'custom-1');
    expect(verdict).toMatchObject({ verdict: 'blocked', calls: 'blocked' });
  });
});
