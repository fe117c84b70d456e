// The anonymised report that leaves the device: one strict schema checked by the extension before sending and by the collector on receipt.
import * as v from 'valibot';
import { ConfidenceSchema, TransportSchema } from './catalog';
import { FailureSchema } from './failure';
import {
  DnsCheckSchema,
  IceEvidenceSchema,
  IceOutcomeSchema,
  NatMappingSchema,
  ReachabilitySchema,
  VerdictSchema,
} from './report';
import { issuePath, schemaError, UNTRUSTED } from './schema-error';
import { REASONS, ReasonSchema } from './reasons';

export const SHARED_REPORT_SCHEMA_VERSION = 1;

/** Catalog ids: the same alphabet as the catalog, and short, so an id cannot smuggle free text. */
export const SHARED_ID_PATTERN = /^[a-z0-9][a-z0-9.-]*$/;
export const SHARED_ID_MAX_LENGTH = 64;

/** Bounds that keep a hostile body small even before the byte limit: a real check has about 15 apps and 100 probes. */
export const MAX_SHARED_APPS = 64;
export const MAX_SHARED_PROBES = 256;
/**
 * Numbers are bounded so that none can carry a client port (ephemeral ports start at 32768):
 * probe durations, in steps of 10 ms up to 30 s, take 3,001 values; RTT and jitter, whole ms up
 * to 10 s, 10,001. Every probe has a deadline far below these (DESIGN.md, Time budget); longer is clamped.
 */
export const MAX_SHARED_PROBE_MS = 30_000;
export const MAX_SHARED_QUALITY_MS = 10_000;
/** Datagram counts of a loss burst: a burst sends a few hundred at most. */
export const MAX_SHARED_DATAGRAMS = 9_999;

/** A uuid v4 as crypto.randomUUID() writes it (lower case). */
export const UUID_V4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The hour the check started, UTC, rounded down: the only string in a shared report that may contain a colon. */
export const SHARED_HOUR_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):00:00Z$/;
const HOUR_MS = 3_600_000;

/** The hour a time (ms since the epoch) falls in, UTC, as SHARED_HOUR_PATTERN writes it: "YYYY-MM-DDTHH:00:00Z". */
export function hourFloor(ms: number): string {
  return new Date(Math.floor(ms / HOUR_MS) * HOUR_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/**
 * At most three numeric parts: a four-part version such as 10.1.2.3 cannot be told apart from an
 * IPv4 literal, so the extension's fourth part is never sent.
 */
export const SHARED_EXTENSION_VERSION_PATTERN = /^(\d{1,5}(\.\d{1,5}){0,2}|unknown)$/;
export const SHARED_CATALOG_VERSION_PATTERN = /^(\d{4}\.\d{2}\.\d{2}(\.\d{1,4})?|unknown)$/;

/** Four dotted numbers not inside a longer number: IPv4, alone or inside an id such as "stun.10.0.0.1" or "198.51.100.23.54321". */
const IPV4_LIKE = /(?<!\d)(\d{1,3}\.){3}\d{1,3}(?!\d)/;
/** Runs of hex digits, dots and colons with at least one colon: where an IPv6 literal would sit. */
const COLON_RUNS = /[0-9a-f.:]*:[0-9a-f.:]*/gi;

/**
 * The address scan the extension runs before sending and the collector runs on every string it
 * receives. An IPv6 literal either compresses zeros ("::") or has at least six colons (eight groups,
 * or six and a dotted IPv4 tail); the report hour ("14:00:00") has neither.
 */
export function containsAddress(text: string): boolean {
  // The checks below need a dot or a colon; most strings in a report (enums, ids) have neither, or only dots.
  if (text.includes('.') && IPV4_LIKE.test(text)) return true;
  if (!text.includes(':')) return false;
  for (const run of text.match(COLON_RUNS) ?? []) {
    if (run.includes('::') || run.split(':').length > 6) return true;
  }
  return false;
}

/** Eight or more digits in a row could be an IPv4 address written as one number (16.0.0.0 is 268435456). */
const LONG_NUMBER = /\d{8}/;

export const SharedIdSchema = v.pipe(
  v.string(),
  v.maxLength(SHARED_ID_MAX_LENGTH, `ids are at most ${SHARED_ID_MAX_LENGTH} characters`),
  v.regex(SHARED_ID_PATTERN, 'ids are lower-case a-z, 0-9, dot and dash'),
  v.check((id) => !containsAddress(id) && !LONG_NUMBER.test(id), 'ids never hold an address'),
);

/** Loops rather than Object.entries and every(): the collector runs this on every report it receives. */
function everyString(value: unknown, visit: (s: string) => boolean): boolean {
  if (typeof value === 'string') return visit(value);
  if (Array.isArray(value)) {
    for (const item of value) if (!everyString(item, visit)) return false;
    return true;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!visit(key) || !everyString(record[key], visit)) return false;
  }
  return true;
}

const Integer = (min: number, max: number) =>
  v.pipe(v.number(), v.integer('must be an integer'), v.minValue(min), v.maxValue(max));

/** Durations are sent in steps of 10 ms: finer steps carry no meaning for a verdict. */
const ProbeMs = v.pipe(
  Integer(0, MAX_SHARED_PROBE_MS),
  v.multipleOf(10, 'probe durations are rounded to 10 ms'),
);

/** One decimal: enough for loss and MOS, too coarse to act as a fingerprint. */
const OneDecimal = (min: number, max: number) =>
  v.pipe(
    v.number(),
    v.minValue(min),
    v.maxValue(max),
    v.check((n) => Number.isInteger(Math.round(n * 10)) && Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, 'rounded to one decimal'),
  );

export const SharedHttpProbeSchema = v.strictObject({
  kind: v.literal('http'),
  targetId: SharedIdSchema,
  outcome: v.picklist(['reachable', 'failed']),
  failure: v.optional(FailureSchema),
  ms: ProbeMs,
  /** The HTTP status of an answer: a control answering with another status than it should reads as a captive portal. */
  status: v.optional(Integer(100, 599)),
  /** The answer came over HTTP/3 (QUIC): UDP reaches the internet. */
  h3: v.optional(v.literal(true)),
  /** The browser did not name its error (Firefox's localised TLS messages): such a failure may be an expected one. */
  unnamed: v.optional(v.literal(true)),
  /** Probed twice: silent both times is the network's doing, an answer the second time was our own load. */
  attempts: v.optional(v.literal(2)),
});
export type SharedHttpProbe = v.InferOutput<typeof SharedHttpProbeSchema>;

export const SharedIceProbeSchema = v.strictObject({
  kind: v.literal('ice'),
  targetId: SharedIdSchema,
  transport: TransportSchema,
  outcome: IceOutcomeSchema,
  evidence: IceEvidenceSchema,
  /** STUN/TURN error classes and the browser's 7xx codes are all below 1000; nothing larger (a port) fits. */
  errorCode: v.optional(Integer(0, 999)),
  failure: v.optional(FailureSchema),
  ms: ProbeMs,
  attempts: v.optional(v.literal(2)),
  /** Silent where our own earlier probe may have closed the server to this browser (residual.ts): no evidence. */
  residual: v.optional(v.literal(true)),
});
export type SharedIceProbe = v.InferOutput<typeof SharedIceProbeSchema>;

export const SharedProbeSchema = v.variant('kind', [SharedHttpProbeSchema, SharedIceProbeSchema]);
export type SharedProbe = v.InferOutput<typeof SharedProbeSchema>;

const Reasons = v.pipe(v.array(ReasonSchema), v.maxLength(REASONS.length));

export const SharedAppVerdictSchema = v.strictObject({
  appId: SharedIdSchema,
  verdict: VerdictSchema,
  confidence: ConfidenceSchema,
  messaging: ReachabilitySchema,
  calls: ReachabilitySchema,
  reasons: Reasons,
});
export type SharedAppVerdict = v.InferOutput<typeof SharedAppVerdictSchema>;

export const SharedOverallSchema = v.strictObject({
  verdict: VerdictSchema,
  confidence: ConfidenceSchema,
  reasons: Reasons,
});

export const SharedQualitySchema = v.strictObject({
  rttMs: Integer(0, MAX_SHARED_QUALITY_MS),
  jitterMs: Integer(0, MAX_SHARED_QUALITY_MS),
  lossPct: v.optional(OneDecimal(0, 100)),
  mos: OneDecimal(1, 4.5),
});
export type SharedQuality = v.InferOutput<typeof SharedQualitySchema>;

const QualityMs = Integer(0, MAX_SHARED_QUALITY_MS);
const Datagrams = Integer(0, MAX_SHARED_DATAGRAMS);

const SharedRttSchema = v.strictObject({ targetId: SharedIdSchema, medianMs: QualityMs, jitterMs: v.optional(QualityMs) });
const SharedLossSchema = v.pipe(
  v.strictObject({ targetId: SharedIdSchema, exchanges: Datagrams, answered: Datagrams, sent: Datagrams, lost: Datagrams }),
  v.check((loss) => loss.lost <= loss.sent && loss.answered <= loss.exchanges, 'lost ≤ sent and answered ≤ exchanges'),
);

/**
 * The rest of what the verdict engine reads, so the collector can judge the report again with a
 * newer engine (src/core/rejudge.ts): DNS comparisons without the host name, which STUN servers
 * answered the NAT test, and the RTT and loss figures behind the quality findings. All enums, ids
 * and whole numbers below 10,000.
 */
export const SharedEvidenceSchema = v.strictObject({
  /** The verdict engine (ENGINE_VERSION in verdict.ts) that judged the apps and overall of this report. */
  engine: Integer(1, 999),
  dns: v.pipe(v.array(v.strictObject({ ...v.omit(DnsCheckSchema, ['host']).entries, targetId: SharedIdSchema })), v.maxLength(MAX_SHARED_PROBES)),
  natAnswered: v.optional(v.pipe(v.array(SharedIdSchema), v.maxLength(MAX_SHARED_PROBES))),
  /** Idle RTT to the control, and the same while the app probes ran. */
  rtt: v.optional(SharedRttSchema),
  loadedRttMs: v.optional(QualityMs),
  loss: v.optional(SharedLossSchema),
  /** Per app media target, RTT and loss (app-quality.ts). */
  paths: v.optional(
    v.strictObject({
      rtt: v.pipe(v.array(SharedRttSchema), v.maxLength(MAX_SHARED_PROBES)),
      loss: v.pipe(v.array(SharedLossSchema), v.maxLength(MAX_SHARED_PROBES)),
    }),
  ),
  /** The QUIC check reached some server over HTTP/3. */
  quicH3: v.optional(v.literal(true)),
});
export type SharedEvidence = v.InferOutput<typeof SharedEvidenceSchema>;

const SharedReportFields = v.strictObject({
  schema: v.literal(SHARED_REPORT_SCHEMA_VERSION),
  /** Random per shared report, used only so a retried upload is stored once. Never the local report id. */
  id: v.pipe(v.string(), v.regex(UUID_V4_PATTERN, 'id is a lower-case uuid v4')),
  hour: v.pipe(v.string(), v.regex(SHARED_HOUR_PATTERN, 'hour is YYYY-MM-DDTHH:00:00Z (UTC, rounded down)')),
  extensionVersion: v.pipe(
    v.string(),
    v.regex(SHARED_EXTENSION_VERSION_PATTERN, 'extensionVersion is up to three numbers separated by dots'),
  ),
  catalogVersion: v.pipe(v.string(), v.regex(SHARED_CATALOG_VERSION_PATTERN, 'catalogVersion is YYYY.MM.DD[.N]')),
  browser: v.strictObject({ family: v.picklist(['chrome', 'firefox']), major: Integer(1, 999) }),
  apps: v.pipe(
    v.array(SharedAppVerdictSchema),
    v.maxLength(MAX_SHARED_APPS),
    v.check((apps) => new Set(apps.map((a) => a.appId)).size === apps.length, 'appIds are unique'),
  ),
  overall: v.optional(SharedOverallSchema),
  probes: v.pipe(v.array(SharedProbeSchema), v.maxLength(MAX_SHARED_PROBES)),
  quality: v.optional(SharedQualitySchema),
  nat: v.optional(NatMappingSchema),
  /** Absent from reports of extensions before re-judging: those keep the verdicts they were sent with. */
  evidence: v.optional(SharedEvidenceSchema),
});

/**
 * Each field's own pattern already excludes addresses; this scan of every string and key is the last word, so a
 * future field with a looser pattern cannot let one through. Exported so the collector's compiled validator
 * (src/collector/compile-schema.ts) can tell it apart and scan each string as it checks it.
 */
export const NO_ADDRESS_ANYWHERE = v.check(
  (report: v.InferOutput<typeof SharedReportFields>) => everyString(report, (s) => !containsAddress(s)),
  'a shared report never holds an address',
);

export const SharedReportSchema = v.pipe(SharedReportFields, NO_ADDRESS_ANYWHERE);
export type SharedReport = v.InferOutput<typeof SharedReportSchema>;

export type SharedReportParse = { ok: true; report: SharedReport } | { ok: false; path: string; error: string };

/** Validates an untrusted shared report; the error names the first bad field, shortened because keys and values are the sender's. */
export function parseSharedReport(data: unknown): SharedReportParse {
  const result = v.safeParse(SharedReportSchema, data);
  if (result.success) return { ok: true, report: result.output };
  return { ok: false, path: issuePath(result.issues, UNTRUSTED), error: schemaError('report', result.issues, UNTRUSTED) };
}
