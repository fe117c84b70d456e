// Call-quality estimate: ITU-T G.107 E-model (delay + loss only) from RTT, jitter and loss, with units enforced.
import { oneWayLossPct } from './loss';
import { round } from './stats';
import type { Reason } from './reasons';
import type { LossResult, Quality } from './report';

/*
 * Units. Real tools have fed this kind of function jitter in seconds and loss as a fraction
 * (twilio-video getCombinedConnectionStats → mos.ts: RTT 100 ms / jitter 20 ms / 5 % loss scored
 * 4.38 instead of 3.97; quality-and-verdicts.md §2). getStats reports seconds, so every input is a
 * branded number made by a constructor that names its unit: a plain number does not compile, and
 * the constructors reject values outside their unit's range.
 */
declare const millisecondsBrand: unique symbol;
declare const percentBrand: unique symbol;
export type Milliseconds = number & { readonly [millisecondsBrand]: true };
export type Percent = number & { readonly [percentBrand]: true };

/** A duration already in milliseconds. @throws RangeError for negative or non-finite values. */
export function ms(value: number): Milliseconds {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a duration in ms: ${value}`);
  return value as Milliseconds;
}

/** A duration reported in seconds (WebRTC getStats `jitter`, `roundTripTime`, `currentRoundTripTime`). */
export function msFromSeconds(seconds: number): Milliseconds {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`not a duration in s: ${seconds}`);
  return ms(seconds * 1000);
}

/** A loss rate already in percent (0-100). @throws RangeError outside 0-100. */
export function percent(value: number): Percent {
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new RangeError(`not a percentage: ${value}`);
  return value as Percent;
}

/** A loss rate given as a ratio (0-1). @throws RangeError outside 0-1, which catches a percentage passed by mistake. */
export function percentFromRatio(ratio: number): Percent {
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new RangeError(`not a ratio: ${ratio}`);
  return percent(ratio * 100);
}

/**
 * Fewer datagrams than this give no loss estimate: at 4 % loss even 100 probes carry a ±3.8 point
 * 95 % interval (quality-and-verdicts.md §4), so a burst of a few dozen Bindings can only flag
 * heavy loss, which is what a call notices.
 */
export const MIN_LOSS_PROBES = 10;

/** One-way loss from a STUN burst's round-trip counts, or undefined when too few were sent to say anything. */
export function lossFromBurst(result: Pick<LossResult, 'sent' | 'lost'>): Percent | undefined {
  if (result.sent < MIN_LOSS_PROBES) return undefined;
  return percent(round(oneWayLossPct(result), 1));
}

/*
 * E-model constants, G.107 (06/2015) defaults [G107], as implemented by amplet2 mos.c [AMPLET2-MOS]:
 * R = 93.2 − Idd − Ie,eff, with every other impairment at its default.
 */
const R_DEFAULT = 93.2;
/** mT: below 100 ms of one-way delay there is no delay impairment. */
const MIN_PERCEIVABLE_DELAY_MS = 100;

/**
 * G.711 with packet-loss concealment, G.113 Appendix I: Ie 0, Bpl 25.1. Browsers use Opus, which
 * has no ITU values; G.711+PLC is the documented codec closest to a concealing modern codec.
 */
export const G711_PLC = { ie: 0, bpl: 25.1 } as const;
export type Codec = { readonly ie: number; readonly bpl: number };

/**
 * Building one-way mouth-to-ear delay Ta from what a browser can measure. No ITU rule exists
 * (quality-and-verdicts.md §1.3, "Building Ta from network data"); we use the typical construction
 * named there: half the RTT (network one-way), plus a jitter buffer of twice the jitter (the same
 * 2 × jitter Twilio's effective latency uses [TWILIO-MOS]), plus 20 ms of codec packetisation.
 * RTT is never fed to Idd directly: that doubles the delay penalty (§2).
 */
export const CODEC_DELAY_MS = 20;
export function oneWayDelay(rtt: Milliseconds, jitter: Milliseconds): Milliseconds {
  return ms(rtt / 2 + 2 * jitter + CODEC_DELAY_MS);
}

/** G.107 Idd, classic form with exponent 6 and default mT = 100 ms, sT = 1. */
export function delayImpairment(ta: Milliseconds): number {
  if (ta <= MIN_PERCEIVABLE_DELAY_MS) return 0;
  const x = Math.log10(ta / MIN_PERCEIVABLE_DELAY_MS) / Math.log10(2);
  return 25 * ((1 + x ** 6) ** (1 / 6) - 3 * (1 + (x / 3) ** 6) ** (1 / 6) + 2);
}

/** G.107 Ie,eff for packet loss in percent. burstR = 1 is random loss, all a short probe can tell. */
export function lossImpairment(loss: Percent, codec: Codec = G711_PLC, burstR = 1): number {
  return codec.ie + ((95 - codec.ie) * loss) / (loss / burstR + codec.bpl);
}

/** R factor for a one-way delay and a loss rate. */
export function rFactor(ta: Milliseconds, loss: Percent, codec: Codec = G711_PLC): number {
  return R_DEFAULT - delayImpairment(ta) - lossImpairment(loss, codec);
}

/**
 * G.107 Annex B: R → MOS. The cubic dips just under 1 for R below about 6.5, so the result is
 * clamped to the MOS scale (1 to 4.5) the report schema enforces.
 */
export function mosFromR(r: number): number {
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r));
}

/*
 * Bands on R, not MOS, so that no value falls between buckets (twilio-voice's MOS buckets leave
 * 4.0-4.1 and 3.6-3.7 unassigned, §2). Thresholds follow the G.107/G.109 satisfaction categories
 * (§1.3): R ≥ 80 "satisfied" or better (MOS ≥ 4.02) is good; 60-80 "some" to "many users
 * dissatisfied" is fair; below 60 "nearly all users dissatisfied" is poor.
 */
export const GOOD_R = 80;
export const FAIR_R = 60;

export function bandOf(r: number): Quality['band'] {
  if (r >= GOOD_R) return 'good';
  if (r >= FAIR_R) return 'fair';
  return 'poor';
}

export interface QualityInput {
  rtt: Milliseconds;
  jitter: Milliseconds;
  /** Unknown loss is scored as none (the estimate is then optimistic) and left out of the result. */
  loss?: Percent;
}

export function assessQuality(input: QualityInput): Quality {
  const r = rFactor(oneWayDelay(input.rtt, input.jitter), input.loss ?? percent(0));
  return {
    rttMs: input.rtt,
    jitterMs: input.jitter,
    ...(input.loss === undefined ? {} : { lossPct: input.loss }),
    r: round(r, 1),
    mos: round(mosFromR(r), 2),
    band: bandOf(r),
  };
}

/*
 * Thresholds that make a call "degraded" whatever the R factor says, from the published tables'
 * consensus (quality-and-verdicts.md §3): RTT ≥ 300 ms is where Daily's "good" ends; jitter above
 * 30 ms is Teams CQD "poor" and a Twilio warning; loss ≥ 5 % is where Daily's "good" ends (lower
 * thresholds would fire on one lost probe in twenty).
 */
export const HIGH_LATENCY_RTT_MS = 300;
export const HIGH_JITTER_MS = 30;
export const LOSSY_PCT = 5;

/** Quality findings, most important first: loss hurts speech most, then delay, then jitter. */
export function qualityReasons(quality: Quality): Reason[] {
  const reasons: Reason[] = [];
  if (quality.lossPct !== undefined && quality.lossPct >= LOSSY_PCT) reasons.push('LOSSY');
  if (quality.rttMs >= HIGH_LATENCY_RTT_MS) reasons.push('HIGH_LATENCY');
  if (quality.jitterMs > HIGH_JITTER_MS) reasons.push('HIGH_JITTER');
  return reasons;
}
