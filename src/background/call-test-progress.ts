// Chrome: a call test runs in the offscreen document, whose progress comes back as messages; this hands each to its listener.
import type { CallTestProgress } from '../core/call-test';

const listeners = new Map<string, (progress: CallTestProgress) => void>();

/** Registers the listener for the test `id`; returns the function that removes it. */
export function listenToCallTest(id: string, listener: (progress: CallTestProgress) => void): () => void {
  listeners.set(id, listener);
  return () => listeners.delete(id);
}

/** Delivers one progress message; false when nobody listens (a test that already ended). */
export function deliverCallTestProgress(id: string, progress: CallTestProgress): boolean {
  const listener = listeners.get(id);
  listener?.(progress);
  return listener !== undefined;
}
