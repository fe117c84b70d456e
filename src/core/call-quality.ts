// Voice and video call quality in words (good / fair / poor) from a quality estimate, and an app's own estimate when the report has one.
import * as v from 'valibot';
import { QualitySchema, type AppVerdict, type Quality } from './report';

export type Band = Quality['band'];

export interface CallQuality {
  voice: Band;
  video: Band;
}

/*
 * Voice is the E-model's band (quality.ts bandOf on R). The E-model knows nothing of video, and a
 * browser check measures no bandwidth, so video is voice made stricter by the published video
 * targets (quality-and-verdicts.md §3): Daily's "good" ends at 300 ms RTT, Teams' network target
 * is loss under 1 % and jitter under 30 ms. Exceeding one of them makes video at best "fair";
 * video is never rated better than voice.
 */
export const VIDEO_GOOD_MAX_RTT_MS = 300;
export const VIDEO_GOOD_MAX_LOSS_PCT = 1;
export const VIDEO_GOOD_MAX_JITTER_MS = 30;

export function callQualityOf(quality: Quality): CallQuality {
  const voice = quality.band;
  const strained =
    quality.rttMs >= VIDEO_GOOD_MAX_RTT_MS ||
    quality.jitterMs >= VIDEO_GOOD_MAX_JITTER_MS ||
    (quality.lossPct !== undefined && quality.lossPct >= VIDEO_GOOD_MAX_LOSS_PCT);
  const video = voice === 'good' && strained ? 'fair' : voice;
  return { voice, video };
}

/**
 * The quality measured to this app's own server, when the verdict carries one (AppVerdict.quality,
 * the same shape as Report.quality). Read through the schema so a verdict without it, or from a
 * version that predates it, simply has none.
 */
export function appQualityOf(verdict: AppVerdict): Quality | undefined {
  const parsed = v.safeParse(QualitySchema, (verdict as Readonly<Record<string, unknown>>).quality);
  return parsed.success ? parsed.output : undefined;
}
