// Port reflection: STUN Binding to our relay on an app's documented UDP call ports, for apps with no media server of their own.
import * as v from 'valibot';
import { isOwnMedia, type App, type Catalog, type IceTarget } from './catalog';
import { parseIceUrl } from './ice-url';
import type { IceProbeResult } from './report';
import { schemaError } from './schema-error';
import { isSilentIce, isUnconfirmedSilence } from './silence';
import { iceOutcome } from './target-outcome';

/** Where the call-test relay answers STUN Binding (GET /v1/turn-credentials `reflector`). */
export const ReflectorSchema = v.strictObject({
  /** A host name, an IPv4 address or a bracketed IPv6 address. */
  host: v.pipe(v.string(), v.minLength(1), v.maxLength(253), v.regex(/^[^\s/:?#[\]]+$|^\[[0-9a-fA-F:.]+\]$/, 'a host name or address (IPv6 in brackets)')),
  /**
   * The relay's own STUN/TURN port: the control. Only when the relay answered here does silence on an app's port
   * read as the network dropping UDP to that port, not as the relay being down or unreachable.
   */
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)),
  /** The ports it reflects besides its own listening port (in production, an nftables redirect to it). */
  ports: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535))), v.maxLength(64)),
});
export type Reflector = v.InferOutput<typeof ReflectorSchema>;

export function parseReflector(data: unknown): { ok: true; reflector: Reflector } | { ok: false; error: string } {
  const result = v.safeParse(ReflectorSchema, data);
  if (result.success) return { ok: true, reflector: result.output };
  return { ok: false, error: schemaError('reflector', result.issues) };
}

/** The id of the probe of the relay's own port (Reflector `port`), whichever port that is. */
export const REFLECTOR_CONTROL_ID = 'reflector.control';

/** Ports probed per app: a sample of its documented ports, not its range (Discord lists 51). */
export const PORTS_PER_APP = 2;

const ID_PREFIX = 'reflector.';

/**
 * A reflection probe's id names its port and nothing else, so a report holds which ports were tested and how,
 * and the verdict can be recomputed from the observations alone (the collector has no relay).
 */
export function reflectorId(port: number): string {
  return `${ID_PREFIX}${port}`;
}

/** The port a reflection probe's id names, or undefined for any other id (the control's included). */
export function reflectedPortOf(id: string): number | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined;
  const digits = id.slice(ID_PREFIX.length);
  const port = Number(digits);
  return /^[1-9]\d{0,4}$/.test(digits) && port <= 65_535 ? port : undefined;
}

/** Whether an id is one of a reflection's probes: the control or a reflected port. */
export function isReflectionId(id: string): boolean {
  return id === REFLECTOR_CONTROL_ID || reflectedPortOf(id) !== undefined;
}

/**
 * Ports both browsers refuse to send STUN to: the Fetch standard's "bad ports". Measured on loopback with a STUN
 * responder on each port (scripts/stun-port-probe.ts, 2026-12): Chromium 156 sends nothing to them and reports
 * nothing either (no candidate, no icecandidateerror: our deadline ends the probe, which would read as silence);
 * Firefox ESR 153 throws "uses a port that is blocked" from setConfiguration, except for 53, which it allows and
 * Chromium does not. Chromium's check is net::IsPortAllowedForScheme (net/base/port_util.cc) in its P2P sockets;
 * Chromium's low-port rule (53, 80, 443 or >= 1024) is for TURN only (webrtc TurnPort::AllowedTurnPort,
 * w3c/webrtc-pc#2625): STUN reached 596-599 and 1023 in both browsers. A probe to one of these could only ever be
 * silent, so none is planned.
 */
const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123,
  135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995,
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
]);

export function isStunPortAllowed(port: number): boolean {
  return !FETCH_BAD_PORTS.has(port);
}

/**
 * Whether an app's UDP is judged from reflection: it documents its UDP ports and has no verified media server of its
 * own over UDP. An unverified one (catalog `unverified`) may stay silent, and then the app is judged as if it had none;
 * a server of its own over TCP or TLS only (Zoom's TURN/TLS relay) says nothing of its UDP, which its ports then tell.
 */
export function isReflectable(app: App): boolean {
  return (
    app.udpPortSources !== undefined &&
    app.udpPortSources.length > 0 &&
    !app.media.some((t) => isOwnMedia(t) && t.unverified === undefined && parseIceUrl(t.url)?.transport === 'udp')
  );
}

/**
 * The app's ports to reflect: those the reflector serves and the browsers allow, at most PORTS_PER_APP, taking the
 * first of each documented group before a second of any (Viber's 7985 and 443 before 7987), in the catalog's order.
 */
export function reflectionPorts(app: App, served: ReadonlySet<number>): number[] {
  if (!isReflectable(app)) return [];
  const usable = (port: number) => served.has(port) && isStunPortAllowed(port);
  const groups = (app.udpPortSources ?? []).map((group) => group.ports.filter(usable));
  const picked: number[] = [];
  for (let round = 0; picked.length < PORTS_PER_APP && groups.some((g) => g.length > round); round += 1) {
    for (const group of groups) {
      const port = group[round];
      if (port !== undefined && !picked.includes(port) && picked.length < PORTS_PER_APP) picked.push(port);
    }
  }
  return picked;
}

/** The STUN URL of one reflected port; `host` as the relay gives it (IPv6 bracketed). */
function reflectorUrl(host: string, port: number): string {
  return `stun:${host}:${port}`;
}

/**
 * The catalog for a check with the relay allowed: the control first, then every app's reflected ports, each port
 * probed once for all the apps that list it. Without a reflector, or with no port to reflect, the catalog as it is.
 */
export function withReflector(catalog: Catalog, reflector: Reflector | undefined): Catalog {
  if (reflector === undefined) return catalog;
  const served = new Set([reflector.port, ...reflector.ports]);
  const ports = new Map<number, string>();
  for (const app of catalog.apps) {
    for (const port of reflectionPorts(app, served)) {
      const source = app.udpPortSources?.find((group) => group.ports.includes(port))?.source;
      if (source !== undefined && !ports.has(port)) ports.set(port, source);
    }
  }
  if (ports.size === 0) return catalog;
  const target = (port: number, source: string): IceTarget => ({ id: reflectorId(port), url: reflectorUrl(reflector.host, port), source });
  const control: IceTarget = { id: REFLECTOR_CONTROL_ID, url: reflectorUrl(reflector.host, reflector.port), source: 'https://www.rfc-editor.org/rfc/rfc8489#section-18.9' };
  // An app port that is the relay's own is probed once: targets sharing a URL share one probe (check-plan.ts).
  const reflection = [control, ...[...ports].map(([port, source]) => target(port, source))];
  return { ...catalog, reflection };
}

/**
 * The ports a check reflected, read back from its results, so the verdict can be recomputed from the observations
 * alone (the collector has no relay). An app is judged on its own sample of them (`reflectionPorts`), never on a port
 * another app's sample added: Zoom lists 3478, which FaceTime's and Meet's samples probe, and which is often the
 * relay's own port; its answer there must not hide Zoom's media ports (8801-8810) dropped.
 */
function reflectedPorts(ice: ReadonlyMap<string, IceProbeResult>): Set<number> {
  const ports = new Set<number>();
  for (const id of ice.keys()) {
    const port = reflectedPortOf(id);
    if (port !== undefined) ports.add(port);
  }
  return ports;
}

/** The app ports a catalog with a reflector plans to probe (`withReflector`), for the judge's evidence. */
export function plannedReflection(catalog: Catalog): { reflected?: ReadonlySet<number> } {
  if (catalog.reflection === undefined) return {};
  const ports = catalog.reflection.flatMap((target) => {
    const port = reflectedPortOf(target.id);
    return port === undefined ? [] : [port];
  });
  return { reflected: new Set(ports) };
}

/** What reflection says about an app's UDP call ports. */
export type PortsEvidence =
  /** Some reflected port answered: UDP to the app's ports passes. */
  | { kind: 'open' }
  /** The relay answered on its own port, and every reflected port with a result stayed silent in both passes. */
  | { kind: 'blocked'; ports: number[] }
  /** No reflection, or nothing it can say (the control silent, a port's silence not confirmed, a refusal on this device). */
  | { kind: 'none' };

/**
 * Reads the reflection results for one app, on its sample of the `planned` ports (plannedReflection), or of the ports
 * the results hold when the plan is unknown. Only silence counts against a port, and only confirmed (silent in both
 * passes) on every port of the sample while the control answered: a relay down or unreachable must never read as the
 * app's ports blocked. An error on a port (a 701: an ICMP refusal, which a relay missing that port's redirect also
 * sends) says nothing. With the plan known, a planned port that has no result cannot be stood in for by another the
 * app lists (Zoom's 3478, answered for FaceTime, for its 8801 dropped).
 */
export function portsEvidence(app: App, ice: ReadonlyMap<string, IceProbeResult>, planned?: ReadonlySet<number>): PortsEvidence {
  if (!isReflectable(app)) return { kind: 'none' };
  const sample = reflectionPorts(app, planned ?? reflectedPorts(ice));
  const probed = sample.flatMap((port) => {
    const result = ice.get(reflectorId(port));
    return result === undefined ? [] : [{ port, result }];
  });
  if (probed.some((p) => iceOutcome(p.result, undefined).kind === 'ok')) return { kind: 'open' };
  const control = ice.get(REFLECTOR_CONTROL_ID);
  if (control === undefined || iceOutcome(control, undefined).kind !== 'ok') return { kind: 'none' };
  const confirmed = (result: IceProbeResult) => isSilentIce(result) && !isUnconfirmedSilence(result);
  if (probed.length === 0 || probed.length < sample.length || !probed.every((p) => confirmed(p.result))) return { kind: 'none' };
  return { kind: 'blocked', ports: probed.map((p) => p.port) };
}

/** Whether a planned reflection probe of the app's ports has no result yet (its row is pending meanwhile). */
export function reflectionPending(app: App, catalog: Catalog, ice: ReadonlyMap<string, IceProbeResult>): boolean {
  const planned = new Set((catalog.reflection ?? []).map((t) => t.id));
  const ports = app.udpPorts.map(reflectorId).filter((id) => planned.has(id));
  if (!isReflectable(app) || ports.length === 0) return false;
  return [REFLECTOR_CONTROL_ID, ...ports].some((id) => !ice.has(id));
}
