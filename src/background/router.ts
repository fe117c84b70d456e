// A small router of named, typed handlers: one entry per BackgroundRequest type, errors returned as data.
import type { Answer, BackgroundRequest, BackgroundResponse } from '../core/messages';
import { errorText } from '../core/error-text';

type RequestOf<K extends BackgroundRequest['type']> = Extract<BackgroundRequest, { type: K }>;

export type Handlers = {
  [K in BackgroundRequest['type']]: (request: RequestOf<K>) => Promise<BackgroundResponse<K>>;
};

function isRequest(message: unknown, handlers: Handlers): message is BackgroundRequest {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return typeof type === 'string' && Object.hasOwn(handlers, type);
}

/** Returns undefined for messages that are not ours (e.g. those aimed at the offscreen document). */
export function createRouter(handlers: Handlers): (message: unknown) => Promise<Answer<unknown>> | undefined {
  return (message) => {
    if (!isRequest(message, handlers)) return undefined;
    const handler = handlers[message.type] as (request: BackgroundRequest) => Promise<unknown>;
    return handler(message).then(
      (value): Answer<unknown> => ({ ok: true, value }),
      (error: unknown): Answer<unknown> => ({ ok: false, error: errorText(error) }),
    );
  };
}
