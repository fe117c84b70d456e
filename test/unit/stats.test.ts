import { describe, expect, it } from 'vitest';
import { jitter, median, robustJitter, round, roundMs } from '../../src/core/stats';

describe('median', () => {
  it.each([
    [[], undefined],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 200], 10],
  ])('%j → %s', (samples, expected) => {
    expect(median(samples)).toBe(expected);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('jitter (mean absolute difference of consecutive samples, Cloudflare)', () => {
  it.each([
    [[], undefined],
    [[20], undefined],
    [[20, 20, 20], 0],
    [[10, 20], 10],
    // |20-10| + |15-20| + |30-15| = 30 over 3 differences
    [[10, 20, 15, 30], 10],
  ])('%j → %s', (samples, expected) => {
    expect(jitter(samples)).toBe(expected);
  });

  it('depends on sample order, unlike a standard deviation', () => {
    expect(jitter([10, 30, 10, 30])).toBe(20);
    expect(jitter([10, 10, 30, 30])).toBeCloseTo(20 / 3);
  });
});

describe('round', () => {
  it.each([
    [1.5, 0, 2],
    [-1.5, 0, -2],
    [1.005, 2, 1.01],
    [12.345, 1, 12.3],
    [-0.2, 0, 0],
    [2.675, 2, 2.68],
  ])('round(%d, %i) → %d', (value, decimals, expected) => {
    expect(round(value, decimals)).toBe(expected);
  });

  it('never returns -0', () => {
    expect(Object.is(round(-0.4), 0)).toBe(true);
  });

  it('roundMs gives whole non-negative milliseconds', () => {
    expect(roundMs(12.6)).toBe(13);
    expect(roundMs(-3)).toBe(0);
  });
});

describe('robustJitter', () => {
  it('is not inflated by a few stray late samples, which the consecutive-difference jitter turns into large jitter', () => {
    // Loopback samples from Chromium with nothing varying on the path (e2e, a busy machine).
    const stray = [41, 181.7, 2.6, 10.2, 11.5, 9.8, 12.1];
    expect(jitter(stray)).toBeGreaterThan(50);
    expect(robustJitter(stray)).toBeLessThan(10);
  });

  it('agrees with the consecutive-difference jitter on steadily varying delays', () => {
    // A queue that swings evenly between 60 and 140 ms.
    const swinging = [60, 140, 70, 130, 80, 120, 100, 90, 110];
    const robust = robustJitter(swinging) ?? 0;
    expect(robust).toBeGreaterThan(30);
    expect(robust / (jitter(swinging) ?? 1)).toBeGreaterThan(0.5);
    expect(robust / (jitter(swinging) ?? 1)).toBeLessThan(2);
  });

  it('needs two samples, and takes their difference then', () => {
    expect(robustJitter([50])).toBeUndefined();
    expect(robustJitter([50, 80])).toBe(30);
  });
});
