// User settings: one defaults object, the schema that validates what storage holds, and the type both derive.
import * as v from 'valibot';

export const LANGUAGES = ['auto', 'en', 'ar', 'fr'] as const;

const CustomServerSchema = v.object({
  url: v.pipe(v.string(), v.regex(/^(stun|turns?):[^\s]+$/, 'a STUN or TURN URL (stun:, turn:, turns:)')),
  label: v.pipe(v.string(), v.maxLength(60)),
});
export type CustomServer = v.InferOutput<typeof CustomServerSchema>;

export const SettingsSchema = v.object({
  /** Anonymous result sharing. Off until the user turns it on after reading what is sent. */
  shareResults: v.optional(v.boolean(), false),
  pinnedApps: v.optional(v.array(v.string()), []),
  customServers: v.optional(v.array(CustomServerSchema), []),
  language: v.optional(v.picklist(LANGUAGES), 'auto'),
  collectorUrl: v.optional(v.pipe(v.string(), v.url()), 'https://collector.canicall.org'),
  /** The call test through our relay (which sees the person's address). Off until the person turns it on. */
  callTestRelay: v.optional(v.boolean(), false),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;

export const defaultSettings: Settings = v.parse(SettingsSchema, {});

/** Reads settings from storage data, keeping the defaults for anything missing or invalid. */
export function parseSettings(data: unknown): Settings {
  const result = v.safeParse(SettingsSchema, data ?? {});
  return result.success ? result.output : defaultSettings;
}
