// The call-app catalog: schema, types and parsing. The data lives in catalog.json.
import * as v from 'valibot';
import { FailureSchema } from './failure';
import { parseIceUrl, TRANSPORTS } from './ice-url';
import { schemaError } from './schema-error';

const Id = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]*$/, 'ids are lower-case a-z, 0-9, dot and dash'));
const Source = v.pipe(v.string(), v.url('a source must be a URL'));
/** For maintainers, never shown to users: what a target really is, or why the catalog is as it is. */
const Note = v.pipe(v.string(), v.minLength(1));

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
  note: v.optional(Note),
});
export type HttpTarget = v.InferOutput<typeof HttpTargetSchema>;

/** A STUN or TURN URL probed by ICE gathering in its own RTCPeerConnection. */
export const IceTargetSchema = v.object({
  id: Id,
  url: v.pipe(v.string(), v.regex(/^(stun|turns?):[^\s]+$/, 'ice targets are stun:, turn: or turns: URLs')),
  source: Source,
  /** What the server is, e.g. "Meta's STUN: tests the Meta network, not WhatsApp's per-call relays". */
  note: v.optional(Note),
  /**
   * For an app's media: the id of the STUN control whose server (or service: turn.cloudflare.com is
   * the anycast service behind stun.cloudflare.com) this is. Its result is shared evidence about the
   * network, not the app's own (see isOwnMedia); required when it is a control's server (same host
   * and port).
   */
  sharedWith: v.optional(Id),
  /**
   * For an app's media: a server nobody has seen answer a probe from here (no live network when it was added),
   * e.g. a call server known only from captures or the app's code. `why` says what the evidence is and why it may
   * not hold. Its answer is the app's own evidence (at most UNVERIFIED_CONFIDENCE); anything else from it, silence
   * in both passes included, is no evidence at all (app-verdict.ts), so a server that has moved or never spoke
   * this protocol cannot make the app read blocked.
   */
  unverified: v.optional(v.object({ why: Note })),
});
export type IceTarget = v.InferOutput<typeof IceTargetSchema>;

const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));

export const TransportSchema = v.picklist(TRANSPORTS);

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
  /** UDP ports the app's media uses, for inference from generic probes when it has no media server of its own. */
  udpPorts: v.array(Port),
  /** Where each of `udpPorts` comes from: every listed port is in a group, every grouped port is listed (parseCatalog checks). */
  udpPortSources: v.optional(v.array(v.object({ ports: v.pipe(v.array(Port), v.minLength(1)), source: Source }))),
  /** How far a media verdict can be trusted when it rests on this app's probes. */
  mediaConfidence: ConfidenceSchema,
  sources: v.pipe(v.array(Source), v.minLength(1)),
  /** Findings about the app that are not targets: servers left out and why (e.g. IP literals), stale entries removed. */
  notes: v.optional(v.array(v.object({ text: Note, sources: v.pipe(v.array(Source), v.minLength(1)) }))),
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
  /**
   * STUN Binding to the call-test relay on apps' call ports (reflection.ts withReflector): added for one check when
   * the person allows the relay, never part of a catalog read from data (parseCatalog refuses it).
   */
  reflection: v.optional(v.array(IceTargetSchema)),
});
export type Catalog = v.InferOutput<typeof CatalogSchema>;

export type CatalogResult = { ok: true; catalog: Catalog } | { ok: false; error: string };

/** Validates untrusted catalog data (bundled, supplied by a test, or from the collector). */
export function parseCatalog(data: unknown): CatalogResult {
  const result = v.safeParse(CatalogSchema, data);
  if (!result.success) {
    return { ok: false, error: schemaError('catalog', result.issues) };
  }
  if (result.output.reflection !== undefined) return { ok: false, error: 'invalid catalog at reflection: set only for a check from the relay the person allowed' };
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
  const error = sharingError(result.output) ?? unverifiedError(result.output) ?? portSourcesError(result.output);
  return error === undefined ? { ok: true, catalog: result.output } : { ok: false, error: `invalid catalog: ${error}` };
}

/** A STUN/TURN server as host and port: the same server whatever the scheme or transport. */
function serverOf(url: string): string | undefined {
  const ice = parseIceUrl(url);
  return ice === null ? undefined : `${ice.host}:${ice.port}`;
}

/**
 * An app's media target on a control STUN/TURN server (same host and port) must say so
 * (sharedWith), so that a control can never pass for the app's own server; and sharedWith must
 * name a control. The same service under another name (turn.cloudflare.com for
 * stun.cloudflare.com) cannot be told from the URL: the catalog says it.
 */
function sharingError(catalog: Catalog): string | undefined {
  const controlIds = new Set(catalog.controls.stun.map((c) => c.id));
  const controlServers = new Map<string, string>();
  for (const control of catalog.controls.stun) {
    const server = serverOf(control.url);
    if (server !== undefined) controlServers.set(server, control.id);
  }
  for (const target of catalog.apps.flatMap((app) => app.media)) {
    if (target.sharedWith !== undefined && !controlIds.has(target.sharedWith)) {
      return `${target.id} is sharedWith "${target.sharedWith}", which is not a STUN control`;
    }
    const control = controlServers.get(serverOf(target.url) ?? '');
    if (control !== undefined && target.sharedWith === undefined) return `${target.id} uses the server of control ${control}: mark it sharedWith`;
  }
  return undefined;
}

/**
 * `unverified` is for an app's own media only: a control is what every judgement leans on, and a control's server
 * (sharedWith) is not the app's evidence to begin with.
 */
function unverifiedError(catalog: Catalog): string | undefined {
  const control = catalog.controls.stun.find((t) => t.unverified !== undefined);
  if (control !== undefined) return `control ${control.id} is unverified: a control must be a server known to answer`;
  const shared = catalog.apps.flatMap((app) => app.media).find((t) => t.unverified !== undefined && t.sharedWith !== undefined);
  return shared === undefined ? undefined : `${shared.id} is both sharedWith a control and unverified: it is not the app's own either way`;
}

/** When an app gives its ports' sources, every listed port has one and every sourced port is listed. */
function portSourcesError(catalog: Catalog): string | undefined {
  for (const app of catalog.apps) {
    if (app.udpPortSources === undefined) continue;
    const sourced = new Set(app.udpPortSources.flatMap((group) => group.ports));
    const listed = new Set(app.udpPorts);
    const unsourced = app.udpPorts.find((port) => !sourced.has(port));
    if (unsourced !== undefined) return `${app.id} lists UDP port ${unsourced} without a source`;
    const unlisted = [...sourced].find((port) => !listed.has(port));
    if (unlisted !== undefined) return `${app.id} gives a source for UDP port ${unlisted}, which it does not list`;
  }
  return undefined;
}

/**
 * Whether a media target's result is the app's own evidence. A control's server (sharedWith) tells
 * about the network, not the app: the verdict leaves it to the generic evidence, so it never makes
 * the app read as tested directly nor lends it the app's mediaConfidence (app-verdict.ts).
 */
export function isOwnMedia(target: IceTarget): boolean {
  return target.sharedWith === undefined;
}

/**
 * How far an answer from an unverified server can be trusted: it proves the path to that server, not that the app
 * still hands it out, so never `high` whatever the app's mediaConfidence.
 */
export const UNVERIFIED_CONFIDENCE: Confidence = 'medium';

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
    // A URL the settings accept but a browser would not is probed, and fails, as UDP.
    const transport = parseIceUrl(server.url)?.transport ?? 'udp';
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
