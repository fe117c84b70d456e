// app-quality.ts: each app judged on its own measured path; nothing measured gives no quality.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { PATH_LOSS_TRANSACTIONS, appLossPct, appQuality, pathLossExchanges, pathTarget } from '../../src/core/app-quality';
import { qualityReasons } from '../../src/core/quality';
import { ObservationsSchema, type LossResult, type Paths, type RttResult } from '../../src/core/report';

const source = 'https://example.org/test';
const app = {
  media: [
    { id: 'app.turn-tcp', url: 'turn:relay.example.org:443?transport=tcp', source },
    { id: 'app.turn-udp', url: 'turn:relay.example.org:3478?transport=udp', source },
    { id: 'app.stun', url: 'stun:stun.example.org:3478', source },
  ],
};
const rtt = (targetId: string, medianMs: number, jitterMs: number): RttResult => ({ targetId, samples: [medianMs - jitterMs, medianMs, medianMs + jitterMs], medianMs, jitterMs });
const loss = (targetId: string, sent: number, lost: number): LossResult => ({ targetId, exchanges: 16, answered: 16, sent, lost, ms: 400 });

describe('pathTarget', () => {
  it('prefers a turn: UDP relay, then a stun: server, and never times TCP or TLS', () => {
    expect(pathTarget(app)?.id).toBe('app.turn-udp');
    expect(pathTarget({ media: [app.media[0], app.media[2]].flatMap((t) => t ?? []) })?.id).toBe('app.stun');
    expect(pathTarget({ media: app.media.slice(0, 1) })).toBeUndefined();
    expect(pathTarget({ media: [] })).toBeUndefined();
  });

  it('sizes the loss burst in transactions: half the exchanges for TURN, two transactions each', () => {
    expect(pathLossExchanges({ url: 'turn:relay.example.org:3478?transport=udp' })).toBe(PATH_LOSS_TRANSACTIONS / 2);
    expect(pathLossExchanges({ url: 'stun:stun.example.org:3478' })).toBe(PATH_LOSS_TRANSACTIONS);
  });
});

describe('appLossPct', () => {
  it('is the lowest measured loss over the app\'s own targets, and undefined when no burst was big enough', () => {
    expect(appLossPct(app, undefined)).toBeUndefined();
    expect(appLossPct(app, { rtt: [], loss: [loss('other.stun', 40, 20)] })).toBeUndefined();
    expect(appLossPct(app, { rtt: [], loss: [loss('app.stun', 6, 3)] })).toBeUndefined();
    const both = appLossPct(app, { rtt: [], loss: [loss('app.stun', 40, 8), loss('app.turn-udp', 40, 0)] });
    expect(both).toBe(0);
    expect(appLossPct(app, { rtt: [], loss: [loss('app.stun', 40, 8)] })).toBeCloseTo(10.6, 1);
    // Nobody answered the burst: silence, not a loss figure.
    expect(appLossPct(app, { rtt: [], loss: [{ ...loss('app.stun', 64, 64), answered: 0 }] })).toBeUndefined();
  });
});

describe('appQuality', () => {
  it('is undefined when nothing was measured to the app, or no sample came back', () => {
    expect(appQuality(app, undefined)).toBeUndefined();
    expect(appQuality(app, { rtt: [], loss: [] })).toBeUndefined();
    expect(appQuality(app, { rtt: [{ targetId: 'app.stun', samples: [] }], loss: [loss('app.stun', 16, 0)] })).toBeUndefined();
    expect(appQuality(app, { rtt: [{ targetId: 'app.stun', samples: [40], medianMs: 40 }], loss: [] })).toBeUndefined();
    // Another app's figures are not this app's.
    expect(appQuality(app, { rtt: [rtt('other.stun', 40, 2)], loss: [] })).toBeUndefined();
  });

  it("reads loss aimed at the app's own servers as LOSSY, and a clean path as good", () => {
    const lossy: Paths = { rtt: [rtt('app.stun', 40, 3)], loss: [loss('app.stun', 40, 8)] };
    const quality = appQuality(app, lossy);
    expect(quality?.lossPct).toBeCloseTo(10.6, 1);
    expect(quality && qualityReasons(quality)).toEqual(['LOSSY']);
    const clean = appQuality(app, { rtt: [rtt('app.stun', 40, 3)], loss: [loss('app.stun', 16, 0)] });
    expect(clean).toMatchObject({ rttMs: 40, jitterMs: 3, lossPct: 0, band: 'good' });
    expect(clean && qualityReasons(clean)).toEqual([]);
  });

  it('reads delay aimed at the app as HIGH_LATENCY, from a TURN relay as well', () => {
    const quality = appQuality(app, { rtt: [rtt('app.turn-udp', 420, 5)], loss: [] });
    expect(quality).toMatchObject({ rttMs: 420, jitterMs: 5 });
    expect(quality?.lossPct).toBeUndefined();
    expect(quality && qualityReasons(quality)).toEqual(['HIGH_LATENCY']);
  });

  it('takes the best of several measured paths, as a call would', () => {
    const quality = appQuality(app, { rtt: [rtt('app.turn-udp', 300, 10), rtt('app.stun', 60, 4)], loss: [] });
    expect(quality?.rttMs).toBe(60);
  });

  it('prefers a path whose loss was measured: unknown loss must not outweigh measured loss', () => {
    const paths: Paths = { rtt: [rtt('app.stun', 40, 3), rtt('app.turn-udp', 45, 3)], loss: [loss('app.stun', 40, 8)] };
    expect(appQuality(app, paths)?.lossPct).toBeCloseTo(10.6, 1);
    // A burst too small to say anything is no measurement.
    const tiny: Paths = { rtt: [rtt('app.stun', 40, 3)], loss: [loss('app.stun', 4, 1)] };
    expect(appQuality(app, tiny)?.lossPct).toBeUndefined();
  });

  it('uses a shape the report schema accepts', () => {
    const paths: Paths = { rtt: [rtt('app.stun', 40, 3), { targetId: 'app.turn-udp', samples: [] }], loss: [loss('app.stun', 16, 0)] };
    expect(v.safeParse(ObservationsSchema, { http: [], ice: [], dns: [], paths }).success).toBe(true);
  });
});
