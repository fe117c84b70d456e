// Small statistics over latency samples: median, jitter, rounding.

/** The median; undefined for no samples. Cloudflare reports latency as the median of its samples [CF-SPEEDTEST]. */
export function median(samples: readonly number[]): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * Jitter as Cloudflare's speed test defines it: the mean absolute difference between consecutive
 * samples, in the order they were taken (cloudflare/speedtest src/Results/MeasurementCalculations.ts,
 * `getJitter`; quality-and-verdicts.md §5). Undefined for fewer than two samples, as there.
 */
export function jitter(samples: readonly number[]): number | undefined {
  if (samples.length < 2) return undefined;
  let sum = 0;
  for (let i = 1; i < samples.length; i++) sum += Math.abs((samples[i] ?? 0) - (samples[i - 1] ?? 0));
  return sum / (samples.length - 1);
}

/**
 * Jitter that a few stray samples cannot inflate. Samples of a browser's STUN timing carry delays of the browser
 * itself: on loopback, with nothing on the path varying, 1 or 2 of 5 samples came 40-180 ms late (a busy machine
 * makes it worse), and a mean of consecutive differences turns each such sample into two large differences. The
 * median absolute deviation ignores up to half the samples; scaled by 2/√π ÷ 0.6745 ≈ 1.67 it equals the mean
 * consecutive difference for normally distributed delays, so the thresholds set for that (quality.ts) still apply.
 * Undefined for fewer than two samples; for two, their difference.
 */
export function robustJitter(samples: readonly number[]): number | undefined {
  if (samples.length < 3) return jitter(samples);
  const middle = median(samples) ?? 0;
  const deviation = median(samples.map((s) => Math.abs(s - middle))) ?? 0;
  return deviation * MAD_TO_MEAN_DIFFERENCE;
}

const MAD_TO_MEAN_DIFFERENCE = 2 / Math.sqrt(Math.PI) / 0.6745;

/** Rounds half away from zero to `decimals` places; never returns -0. */
export function round(value: number, decimals = 0): number {
  const factor = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON * factor)) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** Milliseconds as stored in reports: whole ms, never negative (clock steps can make a difference negative). */
export function roundMs(ms: number): number {
  return Math.max(0, round(ms));
}
