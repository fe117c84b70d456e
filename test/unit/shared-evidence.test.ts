// A media target on a control's server (catalog sharedWith) is evidence about the network, never the app's own.
import { describe, expect, it } from 'vitest';
import type { App, Catalog } from '../../src/core/catalog';
import type { Observations } from '../../src/core/report';
import { judge } from '../../src/core/verdict';
import { bundledCatalog, openNetwork, silenceIce } from './fixtures/observations';

const bundled = bundledCatalog();

function row(catalog: Catalog, obs: Observations, appId: string) {
  const verdict = judge(catalog, obs).apps.find((a) => a.appId === appId);
  return verdict && [verdict.verdict, verdict.confidence, verdict.reasons];
}

/** A UDP-only app whose one media target is Google's STUN, as the catalog lists Meet's. */
function udpOnlyApp(target: { host: string; sharedWith?: string }): App {
  return {
    id: 'voip',
    name: 'VoIP',
    signalling: [{ id: 'voip.web', url: 'https://voip.example/', source: 'https://voip.example/' }],
    media: [
      {
        id: 'voip.media',
        url: `stun:${target.host}:19302`,
        source: 'https://voip.example/',
        note: 'test',
        ...(target.sharedWith === undefined ? {} : { sharedWith: target.sharedWith }),
      },
    ],
    transports: ['udp'],
    udpPorts: [],
    mediaConfidence: 'high',
    sources: ['https://voip.example/'],
  };
}

function withApp(app: App): Catalog {
  return { ...bundled, apps: [...bundled.apps, app] };
}

describe('shared evidence', () => {
  it("never lends an app its mediaConfidence nor makes it read as tested directly", () => {
    // Meet with only its STUN target, control.stun.google's server (its unverified TLS relay left out).
    const sharedOnly = {
      ...bundled,
      apps: bundled.apps.map((app) => (app.id === 'meet' ? { ...app, media: app.media.filter((t) => t.sharedWith !== undefined) } : app)),
    };
    expect(row(sharedOnly, openNetwork(sharedOnly), 'meet')).toEqual(['works', 'low', ['MEDIA_INFERRED']]);
    // The same answer from a server of Meet's own would be tested directly, at Meet's confidence.
    const own = {
      ...sharedOnly,
      apps: sharedOnly.apps.map((app) =>
        app.id === 'meet'
          ? { ...app, mediaConfidence: 'medium' as const, media: app.media.map((t) => ({ ...t, url: 'stun:meet-media.example:19302', sharedWith: undefined })) }
          : app,
      ),
    };
    expect(row(own, openNetwork(own), 'meet')).toEqual(['works', 'medium', []]);
  });

  it('does not call an app blocked because a control server of its own list is down while UDP works elsewhere', () => {
    const shared = withApp(udpOnlyApp({ host: 'stun.l.google.com', sharedWith: 'control.stun.google' }));
    const googleDown = (catalog: Catalog) => silenceIce(openNetwork(catalog), (r) => r.id === 'voip.media' || r.id === 'control.stun.google');
    expect(row(shared, googleDown(shared), 'voip')).toEqual(['works', 'low', ['MEDIA_INFERRED']]);
    // Its own server silent on the same network is a finding about the app.
    const own = withApp(udpOnlyApp({ host: 'stun.voip.example' }));
    expect(row(own, googleDown(own), 'voip')?.[0]).toBe('blocked');
  });

  it('judges an app with relays of its own by them, and one whose relays are a control\'s service as inferred', () => {
    // Teams' relays are its own: on a network without UDP its TURN over TCP decides, at its confidence.
    const obs = silenceIce(openNetwork(bundled), (r) => r.transport === 'udp');
    expect(row(bundled, obs, 'teams')).toEqual(['degraded', 'medium', ['UDP_BLOCKED_TCP_FALLBACK']]);
    // Signal's relays answer the same way, but they are Cloudflare's: inferred, low.
    expect(row(bundled, obs, 'signal')).toEqual(['degraded', 'low', ['UDP_BLOCKED_TCP_FALLBACK', 'MEDIA_INFERRED']]);
  });
});
