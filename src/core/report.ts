// The report: one versioned schema for a check's measurements and verdicts, validated at every boundary.
import * as v from 'valibot';
import { ConnectionTypeSchema } from './connection-type';
import { ConfidenceSchema, TransportSchema } from './catalog';
import { CallTestSchema } from './call-test-result';
import { FailureSchema } from './failure';
import { NetworkLabelSchema } from './network-label';
import { AdviceSchema, ReasonSchema } from './reasons';
import { schemaError } from './schema-error';

export const REPORT_SCHEMA_VERSION = 1;

const Ms = v.pipe(v.number(), v.minValue(0));

/**
 * How many passes probed a target. Absent is one. A target silent in the parallel pass is probed again once that
 * pass has drained (check-plan.ts): 2 on a silent result means silent in both, the only silence that counts as
 * the network's doing; 2 on an answer means the first silence was our own load or a slow link.
 */
const Attempts = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2));

/** How an ICE probe ended. `filtered` = no answer before our own deadline. */
export const IceOutcomeSchema = v.picklist(['reachable', 'unreachable', 'filtered']);
export type IceOutcome = v.InferOutput<typeof IceOutcomeSchema>;

/** What the outcome rests on. */
export const IceEvidenceSchema = v.picklist([
  'srflx', // a server-reflexive candidate: the STUN server answered Binding
  'relay', // a relay candidate (only with real credentials)
  'server-error', // an icecandidateerror carrying a STUN/TURN error code sent by the server (401, 403, 437 ...)
  'error-701', // the browser gave up on the server (701)
  'deadline', // nothing before our deadline
  'gathering-complete', // gathering finished with neither candidate nor error
]);
export type IceEvidence = v.InferOutput<typeof IceEvidenceSchema>;

export const IceProbeResultSchema = v.object({
  id: v.string(),
  scheme: v.picklist(['stun', 'turn', 'turns']),
  transport: TransportSchema,
  port: v.pipe(v.number(), v.integer()),
  outcome: IceOutcomeSchema,
  evidence: IceEvidenceSchema,
  errorCode: v.optional(v.number()),
  failure: v.optional(FailureSchema),
  /** Time from the start of gathering to the answer (or to the deadline). */
  ms: Ms,
  attempts: v.optional(Attempts),
  /**
   * Silent at a destination our own plain-TCP TURN probe may have closed to this browser (residual.ts): the silence
   * says nothing, however many passes saw it.
   */
  residual: v.optional(v.literal(true)),
});
export type IceProbeResult = v.InferOutput<typeof IceProbeResultSchema>;

export const NatMappingSchema = v.picklist(['endpoint-independent', 'address-dependent', 'multiple-egress', 'unknown']);
export type NatMapping = v.InferOutput<typeof NatMappingSchema>;

/** Derived from one RTCPeerConnection with several STUN servers. Candidate strings never leave the prober. */
export const NatResultSchema = v.object({
  mapping: NatMappingSchema,
  /** ids of the STUN servers that answered. */
  answered: v.array(v.string()),
  srflxCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  ipv6: v.boolean(),
  ms: Ms,
});
export type NatResult = v.InferOutput<typeof NatResultSchema>;

/**
 * Sequential RTT samples to one STUN/TURN target. A figure that was not measured is absent, never 0: no samples
 * give no median, fewer than two give no jitter (jitter is a difference between consecutive samples).
 */
export const RttResultSchema = v.object({
  targetId: v.string(),
  samples: v.array(Ms),
  medianMs: v.optional(Ms),
  jitterMs: v.optional(Ms),
});
export type RttResult = v.InferOutput<typeof RttResultSchema>;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A burst of parallel STUN Binding exchanges with one server, counted by loss.ts (round-trip datagrams). */
export const LossResultSchema = v.pipe(
  v.object({
    targetId: v.string(),
    exchanges: Count,
    answered: Count,
    /** Binding requests sent, retransmissions included, whose answer was due before the burst ended. */
    sent: Count,
    /** Of those, how many went unanswered (request or answer lost). */
    lost: Count,
    ms: Ms,
  }),
  v.check((loss) => loss.lost <= loss.sent && loss.answered <= loss.exchanges, 'lost ≤ sent and answered ≤ exchanges'),
);
export type LossResult = v.InferOutput<typeof LossResultSchema>;

/** Repeated fetches of an HTTP/3 control until the browser uses QUIC: the one non-STUN UDP evidence. */
export const QuicResultSchema = v.object({
  targetId: v.string(),
  /** Fetches after the first one. */
  attempts: Count,
  /** The last fetch's protocol (Resource Timing nextHopProtocol), if it answered. */
  protocol: v.optional(v.string()),
  ms: Ms,
});
export type QuicResult = v.InferOutput<typeof QuicResultSchema>;

export const HttpTimingSchema = v.object({
  dnsMs: v.optional(Ms),
  connectMs: v.optional(Ms),
  tlsMs: v.optional(Ms),
  ttfbMs: v.optional(Ms),
  protocol: v.optional(v.string()),
});

export const HttpProbeResultSchema = v.object({
  id: v.string(),
  outcome: v.picklist(['reachable', 'failed']),
  status: v.optional(v.number()),
  failure: v.optional(FailureSchema),
  /** The browser's own error string (net::ERR_..., NS_...). Stays on the device. */
  rawError: v.optional(v.string()),
  /** The address the browser connected to. Stays on the device. */
  ip: v.optional(v.string()),
  ms: Ms,
  timing: v.optional(HttpTimingSchema),
  attempts: v.optional(Attempts),
});
export type HttpProbeResult = v.InferOutput<typeof HttpProbeResultSchema>;

export const DnsCheckSchema = v.object({
  targetId: v.string(),
  host: v.string(),
  /** What the browser saw: a name error, a bogon address, or a public address. */
  system: v.picklist(['nxdomain', 'bogon', 'public', 'unknown']),
  /** What the DoH resolver said. */
  doh: v.picklist(['answers', 'nxdomain', 'failed']),
  verdict: v.picklist(['consistent', 'dns_tampering', 'nxdomain', 'inconclusive']),
});
export type DnsCheck = v.InferOutput<typeof DnsCheckSchema>;

/**
 * RTT and loss to each app's own media servers (app-quality.ts), apart from the control's `rtt` and `loss`: one
 * RttResult and at most one LossResult per measured target, found by their targetId.
 */
export const PathsSchema = v.object({
  rtt: v.array(RttResultSchema),
  loss: v.array(LossResultSchema),
});
export type Paths = v.InferOutput<typeof PathsSchema>;

export const ObservationsSchema = v.object({
  http: v.array(HttpProbeResultSchema),
  ice: v.array(IceProbeResultSchema),
  dns: v.array(DnsCheckSchema),
  nat: v.optional(NatResultSchema),
  rtt: v.optional(RttResultSchema),
  /** RTT samples to the same control taken while the app probes run: what the check's own traffic does to the link. */
  loadedRtt: v.optional(RttResultSchema),
  loss: v.optional(LossResultSchema),
  paths: v.optional(PathsSchema),
  quic: v.optional(v.array(QuicResultSchema)),
  /**
   * The check's quick call window through our relay (quick-call.ts), when it ran and the relay gave a path: the health
   * of a call path to OUR relay, never an app's verdict. It holds counts and times, never an address.
   */
  callTest: v.optional(CallTestSchema),
});
export type Observations = v.InferOutput<typeof ObservationsSchema>;

export const VerdictSchema = v.picklist(['works', 'degraded', 'blocked', 'unknown']);
export type Verdict = v.InferOutput<typeof VerdictSchema>;

export const ReachabilitySchema = v.picklist(['reachable', 'partial', 'blocked', 'unknown']);
export type Reachability = v.InferOutput<typeof ReachabilitySchema>;

export const QualitySchema = v.object({
  rttMs: Ms,
  jitterMs: Ms,
  lossPct: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
  r: v.number(),
  mos: v.pipe(v.number(), v.minValue(1), v.maxValue(4.5)),
  band: v.picklist(['good', 'fair', 'poor']),
});
export type Quality = v.InferOutput<typeof QualitySchema>;

export const AppVerdictSchema = v.object({
  appId: v.string(),
  verdict: VerdictSchema,
  confidence: ConfidenceSchema,
  /** Messaging (signalling) and calls (media) are judged apart: call blocks usually leave chat working. */
  messaging: ReachabilitySchema,
  calls: ReachabilitySchema,
  reasons: v.array(ReasonSchema),
  advice: v.array(AdviceSchema),
  /** Call quality on the path to the app's own media servers, where it was measured (app-quality.ts). */
  quality: v.optional(QualitySchema),
});
export type AppVerdict = v.InferOutput<typeof AppVerdictSchema>;


export const OverallSchema = v.object({
  verdict: VerdictSchema,
  confidence: ConfidenceSchema,
  reasons: v.array(ReasonSchema),
  advice: v.array(AdviceSchema),
});
export type Overall = v.InferOutput<typeof OverallSchema>;

/** The passes of a check (background/orchestrator.ts): what the progress bar follows and what the bench times. */
export const PhaseSchema = v.picklist(['controls', 'apps', 'drain', 'confirm', 'dns', 'paths', 'call']);
export type Phase = v.InferOutput<typeof PhaseSchema>;

/** When a phase started and, once over, ended: ms after the check started. */
export const PhaseTimeSchema = v.object({ phase: PhaseSchema, startMs: Ms, endMs: v.optional(Ms) });
export type PhaseTime = v.InferOutput<typeof PhaseTimeSchema>;

export const ReportStatusSchema = v.picklist(['running', 'done', 'cancelled', 'failed']);
export type ReportStatus = v.InferOutput<typeof ReportStatusSchema>;

export const ReportSchema = v.object({
  schema: v.literal(REPORT_SCHEMA_VERSION),
  id: v.pipe(v.string(), v.uuid()),
  status: ReportStatusSchema,
  startedAt: v.pipe(v.string(), v.isoTimestamp()),
  finishedAt: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  error: v.optional(v.string()),
  extensionVersion: v.string(),
  catalogVersion: v.string(),
  browser: v.object({ family: v.picklist(['chrome', 'firefox']), major: v.pipe(v.number(), v.integer()) }),
  /** The kind of link, when the browser says (kept on this device: never part of a shared report). */
  connection: v.optional(v.object({ type: ConnectionTypeSchema })),
  /** The person's name for the network ("Home Wi-Fi"), given after the check (network-label.ts); kept on this device only. */
  networkLabel: v.optional(NetworkLabelSchema),
  baselineRttMs: v.optional(Ms),
  phases: v.optional(v.array(PhaseTimeSchema)),
  observations: ObservationsSchema,
  quality: v.optional(QualitySchema),
  apps: v.array(AppVerdictSchema),
  overall: v.optional(OverallSchema),
});
export type Report = v.InferOutput<typeof ReportSchema>;

export type ReportParse = { ok: true; report: Report } | { ok: false; error: string };

export function parseReport(data: unknown): ReportParse {
  const result = v.safeParse(ReportSchema, data);
  if (result.success) return { ok: true, report: result.output };
  return { ok: false, error: schemaError('report', result.issues) };
}
