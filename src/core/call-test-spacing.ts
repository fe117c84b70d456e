// Keeps full call tests of one relay server apart (issue 15 §5): a censor's penalty box keys on the client, the server
// and its port (GFW 90 s, blocking-2025-26.md §1.6; the lab's model 120 s, §2.2), so a test run right after another can
// meet a block the first one set off and read it as the network's. Pure: the service stores the record.
import * as v from 'valibot';
import { parseIceUrl } from './ice-url';

/** Long enough for the penalty boxes seen (90-120 s) to lapse; the same window as a check's residual rule (residual.ts). */
export const CALL_TEST_SPACING_MS = 120_000;

/** When full tests ended, and through which servers (host:port of each relay URL). Kept on the device only. */
export const SpacingRecordSchema = v.array(v.object({ servers: v.array(v.string()), endedAt: v.number() }));
export type SpacingRecord = v.InferOutput<typeof SpacingRecordSchema>;

/** The servers a test through these relay URLs may touch: each URL's host and port, once. */
export function relayServers(uris: readonly string[]): string[] {
  const servers = uris.flatMap((uri) => {
    const url = parseIceUrl(uri);
    return url === null ? [] : [`${url.host}:${url.port}`];
  });
  return [...new Set(servers)];
}

/**
 * How long until a full test through `servers` may start: 0 when none of them was tested in the last spacing window.
 * An end that lies in the future (the clock was set back since) is ignored: the cost is one early test, where keeping
 * it would refuse every test until the clock caught up, possibly for hours.
 */
export function spacingLeftMs(record: SpacingRecord, servers: readonly string[], now: number): number {
  const waits = record
    .filter((entry) => entry.endedAt <= now && entry.servers.some((server) => servers.includes(server)))
    .map((entry) => entry.endedAt + CALL_TEST_SPACING_MS - now);
  return Math.max(0, ...waits);
}

/** The record with a test through `servers` ended at `now`, entries past their window dropped. */
export function recordTestEnd(record: SpacingRecord, servers: readonly string[], now: number): SpacingRecord {
  const live = record.filter((entry) => entry.endedAt + CALL_TEST_SPACING_MS > now && entry.endedAt <= now);
  return [...live, { servers: [...servers], endedAt: now }];
}

/** A stored record as it is, or empty when it is missing or does not validate (a spacing lost costs one early test). */
export function parseSpacingRecord(data: unknown): SpacingRecord {
  const parsed = v.safeParse(SpacingRecordSchema, data);
  return parsed.success ? parsed.output : [];
}
