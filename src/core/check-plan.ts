// The plan of a check's probe passes: catalog × deadlines → probe tasks, for the parallel pass and the confirmation pass.
import { pathTarget } from './app-quality';
import { isOwnMedia, type App, type Catalog, type HttpTarget, type IceTarget } from './catalog';
import { CONFIRM_LANES_MAX_MS, GRACE_MS, PHASE_SLACK_MS, type ConfirmDeadlines, type ProbeDeadlines } from './deadlines';
import { isBogon, isIpAddress, isNameError, type BogonOptions } from './dns';
import { parseIceUrl } from './ice-url';
import { sharedDestinationOf, sharedTcpDestinations } from './residual';
import type { HttpProbeResult, IceProbeResult, NatResult } from './report';
import { isSilentHttp, isSilentIce, isUnconfirmedSilence } from './silence';

/** Catalog targets that share one URL: probed once, the result copied to every id. */
export interface IceGroup {
  url: string;
  targets: IceTarget[];
}

/**
 * One unit of work for the pool. An HTTP task probes one URL for every id that names it; an ICE task hands a
 * batch of URLs to one probeIce call (the prober opens one RTCPeerConnection per URL).
 */
export type ProbeTask = ({ kind: 'http'; url: string; targets: HttpTarget[] } | { kind: 'ice'; groups: IceGroup[] }) & {
  deadlineMs: number;
  /** Tasks of one lane run one after another (pool.ts): the probes of one app whose path may be slow. */
  lane?: string;
  /**
   * A plain-TCP TURN probe sharing its address and port with these TURN/TLS targets (residual.ts): in the parallel
   * pass it runs only if they answered, else once the confirmation pass, with their second probe, is over.
   */
  afterTls?: string[];
};

export interface AppPlan {
  /** App targets with a control's URL: the control's result, under the app target's id. */
  reused: HttpProbeResult[];
  /** ICE first: those probes wait longest for an answer, so they should not wait for a slot too. */
  tasks: ProbeTask[];
}

function groupByUrl<T extends { url: string }>(targets: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const target of targets) {
    const group = groups.get(target.url);
    if (group) group.push(target);
    else groups.set(target.url, [target]);
  }
  return groups;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.floor(size));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += step) chunks.push(items.slice(i, i + step));
  return chunks;
}

const isUdp = (url: string): boolean => (parseIceUrl(url)?.transport ?? 'udp') === 'udp';

function iceTasks(groups: readonly IceGroup[], batchSize: number, udpMs: number, tcpMs: number): ProbeTask[] {
  return [
    ...chunk(
      groups.filter((g) => isUdp(g.url)),
      batchSize,
    ).map((batch): ProbeTask => ({ kind: 'ice', groups: batch, deadlineMs: udpMs })),
    ...chunk(
      groups.filter((g) => !isUdp(g.url)),
      batchSize,
    ).map((batch): ProbeTask => ({ kind: 'ice', groups: batch, deadlineMs: tcpMs })),
  ];
}

/** Apps' media targets, then the relay's reflection of apps' call ports (reflection.ts): the same ICE probes, deadlines and confirmation. */
function mediaTargets(catalog: Catalog): IceTarget[] {
  return [...catalog.apps.flatMap((app) => app.media), ...(catalog.reflection ?? [])];
}

/** The parallel pass over every app target. */
export function planApps(catalog: Catalog, deadlines: ProbeDeadlines, controlResults: readonly HttpProbeResult[], iceBatchSize: number): AppPlan {
  const controlByUrl = new Map<string, HttpProbeResult>();
  for (const target of catalog.controls.http) {
    const result = controlResults.find((r) => r.id === target.id);
    if (result) controlByUrl.set(target.url, result);
  }
  const reused: HttpProbeResult[] = [];
  const http: ProbeTask[] = [];
  for (const [url, targets] of groupByUrl(catalog.apps.flatMap((app) => app.signalling))) {
    const known = controlByUrl.get(url);
    if (known) reused.push(...targets.map((t) => ({ ...known, id: t.id })));
    else http.push({ kind: 'http', url, targets, deadlineMs: deadlines.httpMs });
  }
  const ice = [...groupByUrl(mediaTargets(catalog))].map(([url, targets]) => ({ url, targets }));
  // Where a TURN/TLS probe and a plain-TCP one share an address and port, the TLS one goes first and the plain one
  // only once it has ended, in one lane: a protocol filter on 443 that the plain Allocate trips would otherwise close
  // the port to the TLS probe too (residual.ts). A plain probe the pass has no time left for runs in the next pass.
  const shared = sharedTcpDestinations(catalog);
  const sharedOf = (g: IceGroup) => sharedDestinationOf(g.url, shared);
  const ordered = ice
    .flatMap((g) => {
      const dest = sharedOf(g);
      return dest === undefined ? [] : [{ group: g, dest }];
    })
    .sort((a, b) => Number(b.dest.tls) - Number(a.dest.tls))
    .map(({ group, dest }): ProbeTask => {
      const lane = `${LANE_PREFIX}${dest.key}`;
      if (dest.tls) return { kind: 'ice', groups: [group], deadlineMs: deadlines.iceTcpMs, lane };
      const tls = ice.filter((g) => sharedOf(g)?.key === dest.key && sharedOf(g)?.tls === true).flatMap((g) => g.targets.map((t) => t.id));
      return { kind: 'ice', groups: [group], deadlineMs: deadlines.iceTcpMs, lane, afterTls: tls };
    });
  return {
    reused,
    tasks: [
      ...iceTasks(
        ice.filter((g) => sharedOf(g) === undefined),
        iceBatchSize,
        deadlines.iceUdpMs,
        deadlines.iceTcpMs,
      ),
      ...ordered,
      ...http,
    ],
  };
}

/** The lanes of TLS-then-plain TURN probes to one destination (not an app's lane of the confirmation pass). */
const LANE_PREFIX = 'tls-first:';

/** Probe results of both kinds: what a task yielded, or what the parallel pass left silent for the confirmation pass. */
export interface ProbeResults {
  http: readonly HttpProbeResult[];
  ice: readonly IceProbeResult[];
}

/**
 * The confirmation pass: every target that stayed silent in the parallel pass, probed again once that pass has
 * drained, and the control STUN servers the NAT probe did not hear from (their silence is what UDP_BLOCKED rests
 * on). Cheap UDP probes first, then HTTP, then TURN over TCP/TLS; on a queued link, longest deadline first. Positive evidence (a reset, a refusal, a name
 * error, a certificate for another name, a 701) is never probed again: it does not come from load.
 */
export function planConfirmation(
  catalog: Catalog,
  silences: ProbeResults,
  nat: NatResult | undefined,
  deadlines: ConfirmDeadlines,
  iceBatchSize: number,
  /** Ids of the targets (HTTP and ICE) that answered in the parallel pass. */
  answered: ReadonlySet<string> = new Set(),
): ProbeTask[] {
  const silentHttp = new Set(silences.http.filter(isSilentHttp).map((r) => r.id));
  const silentIce = new Set(silences.ice.filter(isSilentIce).map((r) => r.id));
  // An app that answered on another of its own servers (web or media): the path to that company exists, so the
  // silence of its other servers is more likely a slow path (a rate limit aimed at its addresses) than a block. They
  // get the longest waits, and on a link that is otherwise quick their HTTPS and TURN over TCP/TLS probes go one at a
  // time (one lane per app), so that on a path of a few kbit/s they do not queue behind one another. A control's
  // server answering (sharedWith) says nothing about the company's own addresses.
  const own = (app: App): { id: string }[] => [...app.signalling, ...app.media.filter(isOwnMedia)];
  const laneOf = new Map<string, string>();
  for (const app of catalog.apps) if (own(app).some((t) => answered.has(t.id))) for (const t of own(app)) laneOf.set(t.id, app.id);
  // On a link the parallel pass queued the whole pass already goes a few probes at a time.
  const lanes = !Number.isFinite(deadlines.concurrency);
  const appOf = (targets: readonly { id: string }[]) => targets.map((t) => laneOf.get(t.id)).find((id) => id !== undefined);
  const http = [...groupByUrl(catalog.apps.flatMap((app) => app.signalling).filter((t) => silentHttp.has(t.id)))].map(([url, targets]): ProbeTask => {
    const app = appOf(targets);
    if (app === undefined) return { kind: 'http', url, targets, deadlineMs: deadlines.httpMs };
    return { kind: 'http', url, targets, deadlineMs: deadlines.partialHttpMs, ...(lanes ? { lane: app } : {}) };
  });
  const unheardControls =
    nat === undefined ? [] : catalog.controls.stun.filter((t) => !nat.answered.includes(t.id) && parseIceUrl(t.url) !== null);
  const silentMedia = mediaTargets(catalog).filter((t) => silentIce.has(t.id));
  const verified = silentMedia.filter((t) => t.unverified === undefined);
  // An unverified server's silence is no evidence either way (app-verdict.ts), so it never makes a pass of its own;
  // but when the pass runs for other targets anyway, asking it again costs nothing, and its answer is the app's own
  // evidence (the lab: Meet's only own server missed its deadline once under the parallel pass's load).
  const passRuns = http.length > 0 || unheardControls.length > 0 || verified.length > 0;
  const media = passRuns ? silentMedia : verified;
  const ice = [...groupByUrl([...unheardControls, ...media])].map(([url, targets]) => ({ url, targets }));
  const partial = (g: IceGroup) => appOf(g.targets) !== undefined;
  const udp = ice.filter((g) => isUdp(g.url));
  const tcp = ice.filter((g) => !isUdp(g.url));
  // A partly answering app's TURN over TCP and TLS: one probe call for its servers, in that app's lane.
  const tcpByApp = new Map<string, IceGroup[]>();
  for (const group of tcp.filter(partial)) {
    const app = appOf(group.targets) ?? '';
    tcpByApp.set(app, [...(tcpByApp.get(app) ?? []), group]);
  }
  // Where no control STUN server answered either, UDP is silent network-wide: that explains an app's silent UDP.
  const udpAnswers = (nat?.answered.length ?? 0) > 0;
  const slowUdp = (g: IceGroup) => udpAnswers && partial(g);
  const tasks = [
    ...iceTasks(udp.filter((g) => !slowUdp(g)), iceBatchSize, deadlines.iceUdpMs, deadlines.iceTcpMs),
    ...iceTasks(udp.filter(slowUdp), iceBatchSize, deadlines.partialIceUdpMs, deadlines.iceTcpMs),
    ...http,
    ...iceTasks(tcp.filter((g) => !partial(g)), iceBatchSize, deadlines.iceUdpMs, deadlines.iceTcpMs),
    ...(lanes
      ? [...tcpByApp].map(([app, groups]): ProbeTask => ({ kind: 'ice', groups, deadlineMs: deadlines.partialIceTcpMs, lane: app }))
      : iceTasks(tcp.filter(partial), iceBatchSize, deadlines.iceUdpMs, deadlines.partialIceTcpMs)),
  ];
  // On a queued link the pass goes a few probes at a time, and a target silent twice before is likely to use its whole
  // deadline again: the longest first, so the pass lasts about its longest probe, not a row of long ones behind short
  // ones (lab slow-1m-teams-dropped: Teams' two silent web hosts, 5 s each, ran one after the other behind the UDP
  // batch, and the pass took 6.8 s). The order among equal deadlines stays (UDP, HTTP, TCP).
  return lanes ? tasks : longestFirst(tasks);
}

/** Tasks by deadline, longest first; a stable sort, so equal deadlines keep their order. */
function longestFirst(tasks: readonly ProbeTask[]): ProbeTask[] {
  return [...tasks].sort((a, b) => b.deadlineMs - a.deadlineMs);
}

/** Where a plain-TCP TURN probe that waited for its TLS siblings stands in the confirmation pass. */
export interface SiblingWait {
  /** The plain probe, without its `afterTls`: probed once, beside the pass, as soon as `after` have all ended. */
  plain: ProbeTask;
  /** The pass's tasks holding its TLS siblings' second probes (none when they are not probed again). */
  after: ProbeTask[];
}

/**
 * The confirmation pass's tasks with the TLS siblings of waiting plain-TCP TURN probes (`waiting`, each with its
 * `afterTls`) taken out of their batches into tasks of their own, keeping their lane and deadline, and sent first:
 * each plain probe runs beside the pass as soon as its siblings' second probes have ended (check/confirm-pass.ts), so on a
 * queued link, where the pass goes a few probes at a time, the pair ends within the pass instead of a whole probe
 * after it. The plain probe takes no slot of the pass: a TURN Allocate over TCP is a few hundred bytes, not a TLS
 * handshake, and a slot it held would leave other apps' probes to the pass's end (CI lab, a pair in one lane: Jitsi
 * and Slack read unknown on the 256 kbit/s link). A sibling in an app's lane (its path may be a few kbit/s) holds the
 * plain probe until that whole lane has ended, so the plain probe never shares that path with the lane's probes.
 */
export function siblingsFirst(tasks: readonly ProbeTask[], waiting: readonly ProbeTask[]): { tasks: ProbeTask[]; waits: SiblingWait[] } {
  const siblingIds = new Set(waiting.flatMap((task) => task.afterTls ?? []));
  const holds = (g: IceGroup) => g.targets.some((t) => siblingIds.has(t.id));
  const first: ProbeTask[] = [];
  const rest: ProbeTask[] = [];
  for (const task of tasks) {
    if (task.kind !== 'ice' || !task.groups.some(holds)) {
      rest.push(task);
      continue;
    }
    const others = task.groups.filter((g) => !holds(g));
    first.push({ ...task, groups: task.groups.filter(holds) });
    if (others.length > 0) rest.push({ ...task, groups: others });
  }
  const ordered = [...first, ...rest];
  const waits = waiting.map((task): SiblingWait => {
    const own = new Set(task.afterTls ?? []);
    const plain = { ...task };
    delete plain.afterTls;
    const siblings = first.filter((t) => t.kind === 'ice' && t.groups.some((g) => g.targets.some((x) => own.has(x.id))));
    const lanes = new Set(siblings.flatMap((t) => (t.lane === undefined ? [] : [t.lane])));
    return { plain, after: ordered.filter((t) => siblings.includes(t) || (t.lane !== undefined && lanes.has(t.lane))) };
  });
  return { tasks: ordered, waits };
}

/**
 * How long the confirmation pass may run: its own length, or the longest lane's probes one after another, whichever
 * is longer, within CONFIRM_LANES_MAX_MS.
 */
export function confirmPassMs(tasks: readonly ProbeTask[], deadlines: ConfirmDeadlines): number {
  const lanes = new Map<string, number>();
  for (const task of tasks) if (task.lane !== undefined) lanes.set(task.lane, (lanes.get(task.lane) ?? 0) + task.deadlineMs + GRACE_MS);
  const longestLane = lanes.size === 0 ? 0 : Math.max(...lanes.values()) + PHASE_SLACK_MS;
  return Math.max(deadlines.passMs, Math.min(longestLane, CONFIRM_LANES_MAX_MS));
}

/** One path to measure: a media server (one URL, for every app that names it), with RTT only where it answered. */
export interface PathTask {
  targets: IceTarget[];
  rtt: boolean;
}

/**
 * The paths phase: each app's path target (app-quality.ts) once per URL. A server that answered gets RTT and the
 * loss burst; one silent in both passes gets the burst alone, a third and far larger test (silence.ts heardInBurst);
 * one with any other result (an error, unconfirmed silence, not probed) has no path to time.
 */
export function planPaths(catalog: Catalog, ice: readonly IceProbeResult[]): PathTask[] {
  const answered = new Set(ice.filter((r) => r.outcome === 'reachable').map((r) => r.id));
  const silent = new Set(ice.filter((r) => isSilentIce(r) && !isUnconfirmedSilence(r)).map((r) => r.id));
  const byUrl = new Map<string, PathTask>();
  for (const app of catalog.apps) {
    const target = pathTarget(app, answered);
    if (target === undefined || !(answered.has(target.id) || silent.has(target.id))) continue;
    const task = byUrl.get(target.url) ?? { targets: [], rtt: answered.has(target.id) };
    task.targets.push(target);
    byUrl.set(target.url, task);
  }
  return [...byUrl.values()];
}

/** One host to cross-check with DoH, and the targets (with their results) that named it. */
export interface DnsTask {
  host: string;
  group: { target: HttpTarget; result: HttpProbeResult }[];
}

/**
 * The DoH cross-check: every host the browser could not resolve (a name error) or resolved to a bogon, once. A
 * host given as an address involved no DNS.
 */
export function planDns(catalog: Catalog, http: readonly HttpProbeResult[], bogons: BogonOptions): DnsTask[] {
  const targets = [...catalog.controls.http, ...catalog.apps.flatMap((app) => app.signalling)];
  const byHost = new Map<string, DnsTask['group']>();
  for (const result of http) {
    const suspicious = isNameError(result.failure) || (result.ip !== undefined && isBogon(result.ip, bogons));
    const target = targets.find((t) => t.id === result.id);
    const host = target ? hostOf(target.url) : null;
    if (!suspicious || !target || host === null || isIpAddress(host)) continue;
    byHost.set(host, [...(byHost.get(host) ?? []), { target, result }]);
  }
  return [...byHost].map(([host, group]) => ({ host, group }));
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

/** A task with the confirmation pass's deadline for its kind of probe. */
export function withConfirmDeadline(task: ProbeTask, deadlines: ConfirmDeadlines): ProbeTask {
  if (task.kind === 'http') return { ...task, deadlineMs: deadlines.httpMs };
  return { ...task, deadlineMs: task.groups.every((g) => isUdp(g.url)) ? deadlines.iceUdpMs : deadlines.iceTcpMs };
}

/** The catalog ids a task probes. */
export function taskIds(task: ProbeTask): string[] {
  return task.kind === 'http' ? task.targets.map((t) => t.id) : task.groups.flatMap((g) => g.targets.map((t) => t.id));
}
