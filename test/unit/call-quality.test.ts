// Voice and video quality words: voice is the E-model band, video is never better and is stricter on delay, jitter and loss.
import { describe, expect, it } from 'vitest';
import { appQualityOf, callQualityOf } from '../../src/core/call-quality';
import { assessQuality, ms, percent } from '../../src/core/quality';
import { appVerdict } from './fixtures/sample-report';

const q = (rtt: number, jitter: number, loss?: number) =>
  assessQuality({ rtt: ms(rtt), jitter: ms(jitter), ...(loss === undefined ? {} : { loss: percent(loss) }) });

describe('callQualityOf', () => {
  it('rates a clean link good for voice and video', () => {
    expect(callQualityOf(q(40, 3, 0))).toEqual({ voice: 'good', video: 'good' });
  });

  it('keeps voice good but video fair when loss reaches 1 %, jitter 30 ms or RTT 300 ms', () => {
    expect(callQualityOf(q(40, 3, 1))).toEqual({ voice: 'good', video: 'fair' });
    expect(callQualityOf(q(40, 30))).toEqual({ voice: 'good', video: 'fair' });
    expect(callQualityOf(q(300, 5))).toMatchObject({ video: 'fair' });
  });

  it('never rates video better than voice', () => {
    const poor = q(600, 80, 10);
    expect(poor.band).toBe('poor');
    expect(callQualityOf(poor)).toEqual({ voice: 'poor', video: 'poor' });
    const fair = q(100, 10, 10);
    expect(fair.band).toBe('fair');
    expect(callQualityOf(fair)).toEqual({ voice: 'fair', video: 'fair' });
  });

  it('does not treat unmeasured loss as loss', () => {
    expect(callQualityOf(q(40, 3))).toEqual({ voice: 'good', video: 'good' });
  });
});

describe('appQualityOf', () => {
  it('reads an app verdict\'s own quality when it has one, and nothing otherwise', () => {
    const quality = q(80, 4, 0);
    expect(appQualityOf({ ...appVerdict('whatsapp'), quality } as ReturnType<typeof appVerdict>)).toEqual(quality);
    expect(appQualityOf(appVerdict('whatsapp'))).toBeUndefined();
    expect(appQualityOf({ ...appVerdict('whatsapp'), quality: { rttMs: -1 } } as ReturnType<typeof appVerdict>)).toBeUndefined();
  });
});
