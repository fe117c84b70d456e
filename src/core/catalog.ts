// The call-app catalog: schema, types and parsing. The data lives in catalog.json.
import * as v from 'valibot';
import { FailureSchema } from './failure';

const Id = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]*$/, 'ids are lower-case a-z, 0-9, dot and dash'));
const Source = v.pipe(v.string(), v.url('a source must be a URL'));

/** An HTTPS (or plain HTTP) endpoint probed with fetch; any HTTP answer means reachable. */
export const HttpTargetSchema = v.object({
  id: Id,
  url: v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'http targets are http: or https: URLs')),
  /** A failure that in fact proves the host answered (e.g. Signal's private CA). */
  expectFailure: v.optional(FailureSchema),
  /**
   * For controls: the status a healthy network returns (204 for generate_204). Any other status
   * means something in the path answered in the server's place, which is how captive portals show.
   */
  expectStatus: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599))),
  /**
   * For controls: the server offers HTTP/3 (Alt-Svc), so fetching it again shows whether QUIC, i.e.
   * UDP 443, gets through: the one non-STUN UDP a browser lets us see (network-context.ts).
   */
  http3: v.optional(v.object({ source: Source })),
  source: Source,
});
export type HttpTarget = v.InferOutput<typeof HttpTargetSchema>;

/** A STUN or TURN URL probed by ICE gathering in its own RTCPeerConnection. */
export const IceTargetSchema = v.object({
  id: Id,
  url: v.pipe(v.string(), v.regex(/^(stun|turns?):[^\s]+$/, 'ice targets are stun:, turn: or turns: URLs')),
  source: Source,
});
export type IceTarget = v.InferOutput<typeof IceTargetSchema>;

export const TransportSchema = v.picklist(['udp', 'tcp', 'tls']);
export type Transport = v.InferOutput<typeof TransportSchema>;

export const ConfidenceSchema = v.picklist(['high', 'medium', 'low']);
export type Confidence = v.InferOutput<typeof ConfidenceSchema>;

export const AppSchema = v.object({
  id: Id,
  name: v.pipe(v.string(), v.minLength(1)),
  /** Facts a user should know, e.g. "consumer Skype was retired in May 2025". A locale message key. */
  noteKey: v.optional(v.string()),
  /** Empty only for a user's own STUN/TURN server (options page), which has no messaging of its own. */
  signalling: v.array(HttpTargetSchema),
  media: v.array(IceTargetSchema),
  /** Transports the app's calls can use, in the app's order of preference. */
  transports: v.pipe(v.array(TransportSchema), v.minLength(1)),
  /** UDP ports the app's media uses, for inference from generic probes when `media` is empty. */
  udpPorts: v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
  /** How far a media verdict can be trusted when it rests on this app's probes. */
  mediaConfidence: ConfidenceSchema,
  sources: v.pipe(v.array(Source), v.minLength(1)),
});
export type App = v.InferOutput<typeof AppSchema>;

export const CatalogSchema = v.object({
  version: v.pipe(v.string(), v.regex(/^\d{4}\.\d{2}\.\d{2}(\.\d+)?$/, 'version is YYYY.MM.DD[.N]')),
  controls: v.object({
    http: v.pipe(v.array(HttpTargetSchema), v.minLength(1)),
    stun: v.pipe(v.array(IceTargetSchema), v.minLength(2)),
    doh: v.optional(v.pipe(v.string(), v.url())),
  }),
  apps: v.pipe(v.array(AppSchema), v.minLength(1)),
});
export type Catalog = v.InferOutput<typeof CatalogSchema>;

export type CatalogResult = { ok: true; catalog: Catalog } | { ok: false; error: string };

/** Validates untrusted catalog data (bundled, supplied by a test, or from the collector). */
export function parseCatalog(data: unknown): CatalogResult {
  const result = v.safeParse(CatalogSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return { ok: false, error: `invalid catalog${path ? ` at ${path}` : ''}: ${issue.message}` };
  }
  const ids = new Set<string>();
  const targets = [
    ...result.output.controls.http,
    ...result.output.controls.stun,
    ...result.output.apps.flatMap((app) => [...app.signalling, ...app.media]),
  ];
  for (const { id } of [...targets, ...result.output.apps]) {
    if (ids.has(id)) return { ok: false, error: `invalid catalog: duplicate id "${id}"` };
    ids.add(id);
  }
  return { ok: true, catalog: result.output };
}

/** Orders catalog versions (YYYY.MM.DD[.N]) numerically: negative when `a` is older than `b`. */
export function compareCatalogVersions(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** A user's own STUN/TURN servers (options page) as catalog apps, one each, judged on their relay alone. */
export function withCustomServers(catalog: Catalog, servers: readonly { url: string; label: string }[], source: string): Catalog {
  const custom: App[] = servers.flatMap((server, index) => {
    const transport = /^turns:/i.test(server.url) ? 'tls' : /[?&]transport=tcp/i.test(server.url) ? 'tcp' : 'udp';
    const id = `custom-${index + 1}`;
    return [
      {
        id,
        name: server.label.trim() || server.url,
        signalling: [],
        media: [{ id: `${id}.server`, url: server.url, source }],
        transports: [transport],
        udpPorts: [],
        mediaConfidence: 'high',
        sources: [source],
      },
    ];
  });
  return custom.length === 0 ? catalog : { ...catalog, apps: [...catalog.apps, ...custom] };
}
