// The kind of link a check ran on, as far as the browser tells it (Network Information API `type`); never an address or a name.
import * as v from 'valibot';

/** Only kinds that name a link; "none", "unknown" and "mixed" say nothing a person can compare, so they are absent. */
export const ConnectionTypeSchema = v.picklist(['wifi', 'cellular', 'ethernet', 'bluetooth', 'wimax', 'other']);
export type ConnectionType = v.InferOutput<typeof ConnectionTypeSchema>;

/**
 * `navigator.connection.type` where the browser exposes it (Chrome on Android and ChromeOS; not
 * desktop Chrome, not Firefox). `effectiveType` ("4g") is a speed estimate, not the link, and is
 * not used: a desktop on Wi-Fi would read "4G".
 */
export function connectionTypeOf(raw: unknown): ConnectionType | undefined {
  const parsed = v.safeParse(ConnectionTypeSchema, raw);
  return parsed.success ? parsed.output : undefined;
}
