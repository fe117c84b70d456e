// Checks a STUN/TURN server the user typed against the settings schema before it is added.
import * as v from 'valibot';
import { SettingsSchema, type CustomServer } from '../core/settings';
import type { MessageKey } from '../ui/message-format';

export interface ServerFormErrors {
  url?: MessageKey;
  label?: MessageKey;
}

export type ServerFormResult = { ok: true; server: CustomServer } | { ok: false; errors: ServerFormErrors };

/** The settings schema is the rule, so the form can never accept what loading settings would reject. */
export function validateCustomServer(url: string, label: string, existing: readonly CustomServer[]): ServerFormResult {
  const server = { url: url.trim(), label: label.trim() };
  const result = v.safeParse(SettingsSchema, { customServers: [server] });
  if (!result.success) {
    const fields = new Set(result.issues.flatMap((issue) => (issue.path ?? []).map((item) => String(item.key))));
    const errors: ServerFormErrors = {};
    if (fields.has('url')) errors.url = 'custom_invalid_url';
    if (fields.has('label')) errors.label = 'custom_invalid_label';
    return { ok: false, errors };
  }
  if (existing.some((other) => other.url === server.url)) return { ok: false, errors: { url: 'custom_duplicate' } };
  return { ok: true, server };
}
