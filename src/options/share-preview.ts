// The one place the options page turns a report into the payload it previews, so it always shows what sharing sends.
import { anonymise } from '../core/anonymise';
import type { Report } from '../core/report';
import { errorText } from '../core/error-text';

export type SharePreview = { ok: true; json: string } | { ok: false; error: string };

/**
 * Each upload gets a fresh random id (never the local report id), so the preview makes one too;
 * anonymise throws rather than return something it could not scrub, and that is shown as such.
 */
export function previewSharedPayload(report: Report, uploadId: string = crypto.randomUUID()): SharePreview {
  try {
    return { ok: true, json: JSON.stringify(anonymise(report, { id: uploadId }), null, 2) };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}
