// The UI's typed client for the background: one request in, an Answer out, never a rejected promise.
import { browser } from './extension-api';
import type { Answer, BackgroundRequest, BackgroundResponse } from '../core/messages';
import { errorText } from '../core/error-text';
import { isAnswer } from './answer';

/**
 * The value's shape is the background's promise (the router types it per request); callers still
 * validate reports with parseReport, because storage may hold data from an older version.
 */
export async function ask<R extends BackgroundRequest>(request: R): Promise<Answer<BackgroundResponse<R['type']>>> {
  try {
    const reply: unknown = await browser.runtime.sendMessage(request);
    if (isAnswer(reply)) return reply as Answer<BackgroundResponse<R['type']>>;
    return { ok: false, error: `the background gave no answer to ${request.type}` };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}
