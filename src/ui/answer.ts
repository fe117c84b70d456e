// Recognises the background's Answer envelope in an untrusted message reply.
import type { Answer } from '../core/messages';

/** True for {ok: true, value} and {ok: false, error: string}; anything else is not an answer. */
export function isAnswer(data: unknown): data is Answer<unknown> {
  if (typeof data !== 'object' || data === null || !('ok' in data)) return false;
  if (data.ok === true) return 'value' in data;
  return data.ok === false && 'error' in data && typeof data.error === 'string';
}
