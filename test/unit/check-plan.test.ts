import { describe, expect, it } from 'vitest';
import { confirmPassMs, planApps, planConfirmation, planDns, planPaths, taskIds, withConfirmDeadline, type ProbeTask } from '../../src/core/check-plan';
import { CONFIRM_LANES_MAX_MS, QUEUED_CONFIRM_HTTP_MS, QUEUED_CONFIRM_PASS_MS, confirmDeadlines, deadlinesFor } from '../../src/core/deadlines';
import type { HttpProbeResult, IceProbeResult } from '../../src/core/report';
import { bundledCatalog } from './fixtures/observations';

const catalog = bundledCatalog();
const deadlines = deadlinesFor(40);
const confirm = confirmDeadlines(40, 45);

const timeout = (id: string): HttpProbeResult => ({ id, outcome: 'failed', failure: 'generic_timeout_error', ms: 1500 });
const filtered = (id: string, port = 3478): IceProbeResult => ({ id, scheme: 'stun', transport: 'udp', port, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1000 });

describe('planApps', () => {
  it('probes every app target once per URL, ICE first, and reuses a control result for an app target with its URL', () => {
    const controls: HttpProbeResult[] = catalog.controls.http.map((t) => ({ id: t.id, outcome: 'reachable', status: 204, ms: 50 }));
    const plan = planApps(catalog, deadlines, controls, 6);
    const urls = catalog.apps.flatMap((app) => [...app.signalling, ...app.media].map((t) => t.url));
    const planned = plan.tasks.flatMap((t) => (t.kind === 'http' ? [t.url] : t.groups.map((g) => g.url)));
    expect(new Set(planned)).toEqual(new Set(urls));
    expect(planned).toHaveLength(new Set(planned).size);
    const firstHttp = plan.tasks.findIndex((t) => t.kind === 'http');
    expect(plan.tasks.slice(firstHttp).every((t) => t.kind === 'http')).toBe(true);
    for (const task of plan.tasks) if (task.kind === 'ice') expect(task.groups.length).toBeLessThanOrEqual(6);
    expect(plan.reused).toEqual([]);
  });
});

describe('planConfirmation', () => {
  it('probes again only what was silent, UDP first, and the control STUN servers the NAT probe did not hear', () => {
    const web = catalog.apps.find((a) => a.id === 'teams')?.signalling[0];
    const relay = catalog.apps.find((a) => a.id === 'teams')?.media.find((m) => m.url.startsWith('turns:'));
    const stun = catalog.apps.find((a) => a.id === 'meet')?.media[0];
    if (!web || !relay || !stun) throw new Error('catalog changed: teams web/turns, meet stun expected');
    const silences = {
      http: [timeout(web.id), { id: 'zoom.web', outcome: 'failed' as const, failure: 'connection_reset' as const, ms: 30 }],
      ice: [filtered(stun.id, 19302), { ...filtered(relay.id, 443), scheme: 'turns' as const, transport: 'tls' as const }],
    };
    const [unheard, ...heard] = catalog.controls.stun;
    if (!unheard) throw new Error('no control STUN');
    const nat = { mapping: 'unknown' as const, answered: heard.map((t) => t.id), srflxCount: 1, ipv6: false, ms: 40 };
    const tasks = planConfirmation(catalog, silences, nat, confirm, 6);
    expect(tasks.map((t) => (t.kind === 'http' ? ['http', t.targets.map((x) => x.id)] : ['ice', t.groups.flatMap((g) => g.targets.map((x) => x.id))]))).toEqual([
      ['ice', [unheard.id, stun.id]],
      ['http', [web.id]],
      ['ice', [relay.id]],
    ]);
    expect(tasks.map((t) => t.deadlineMs)).toEqual([confirm.iceUdpMs, confirm.httpMs, confirm.iceTcpMs]);
  });

  it("waits longest for a silent host whose app answered on another host (a slow path to that company), not for a wholly silent app", () => {
    const teams = catalog.apps.find((a) => a.id === 'teams');
    const [web, free] = teams?.signalling ?? [];
    if (!web || !free) throw new Error('catalog changed: Teams has two web hosts');
    const nat = { mapping: 'endpoint-independent' as const, answered: catalog.controls.stun.map((t) => t.id), srflxCount: 1, ipv6: false, ms: 40 };
    const silences = { http: [timeout(free.id)], ice: [] };
    const partial = planConfirmation(catalog, silences, nat, confirm, 6, new Set([web.id]));
    expect(partial.map((t) => t.deadlineMs)).toEqual([confirm.partialHttpMs]);
    expect(confirm.partialHttpMs).toBeGreaterThan(confirm.httpMs);
    const whole = planConfirmation(catalog, { http: [timeout(web.id), timeout(free.id)], ice: [] }, nat, confirm, 6, new Set(['whatsapp.web']));
    expect(whole.map((t) => t.deadlineMs)).toEqual([confirm.httpMs, confirm.httpMs]);
    // A silent UDP relay of such an app waits longer too: a datagram each way through that path's queue.
    const udpRelay = teams?.media.find((m) => m.url.startsWith('turn:') && !m.url.includes('transport=tcp'));
    if (!udpRelay) throw new Error('catalog changed: Teams has a UDP relay');
    const silentUdp: IceProbeResult = { id: udpRelay.id, scheme: 'turn', transport: 'udp', port: 3478, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1000 };
    expect(planConfirmation(catalog, { http: [], ice: [silentUdp] }, nat, confirm, 6, new Set([web.id])).map((t) => t.deadlineMs)).toEqual([confirm.partialIceUdpMs]);
    expect(confirm.partialIceUdpMs).toBeGreaterThan(confirm.iceUdpMs);
    // Unless UDP is silent network-wide (no control STUN server answered): that explains it, and no longer wait helps.
    const udpSilent = { ...nat, answered: [] };
    const whenUdpBlocked = planConfirmation(catalog, { http: [], ice: [silentUdp] }, udpSilent, confirm, 6, new Set([web.id]));
    expect(whenUdpBlocked.find((t) => t.kind === 'ice' && t.groups.some((g) => g.targets.some((x) => x.id === udpRelay.id)))?.deadlineMs).toBe(confirm.iceUdpMs);
    // Its own relay answering counts too (lab teams-throttled: both web hosts slow, the UDP relay quick).
    const relay = teams?.media.find((m) => m.url.startsWith('turn:') && !m.url.includes('transport=tcp'));
    if (!relay) throw new Error('catalog changed: Teams has a UDP relay');
    const byRelay = planConfirmation(catalog, { http: [timeout(web.id), timeout(free.id)], ice: [] }, nat, confirm, 6, new Set([relay.id]));
    expect(byRelay.map((t) => t.deadlineMs)).toEqual([confirm.partialHttpMs, confirm.partialHttpMs]);
    // Its relay over TCP and TLS likewise: a handshake and a 401 through the same slow path (lab teams-throttled).
    const tcpRelays = teams?.media.filter((m) => m.url.includes('transport=tcp')) ?? [];
    expect(tcpRelays.length).toBeGreaterThan(0);
    const silentTcp = tcpRelays.map((m): IceProbeResult => ({ id: m.id, scheme: 'turn', transport: 'tcp', port: 443, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1500 }));
    const tcpPartial = planConfirmation(catalog, { http: [], ice: silentTcp }, nat, confirm, 6, new Set([web.id]));
    expect(tcpPartial.map((t) => t.deadlineMs)).toEqual([confirm.partialIceTcpMs]);
    expect(confirm.partialIceTcpMs).toBeGreaterThan(confirm.iceTcpMs);
    expect(planConfirmation(catalog, { http: [], ice: silentTcp }, nat, confirm, 6, new Set(['whatsapp.web'])).map((t) => t.deadlineMs)).toEqual([confirm.iceTcpMs]);
    // Its silent web host and its TURN over TCP/TLS go one at a time, in one lane.
    const slow = planConfirmation(catalog, { http: [timeout(free.id)], ice: silentTcp }, nat, confirm, 6, new Set([web.id]));
    expect(slow.map((t) => [t.kind, t.lane, t.deadlineMs])).toEqual([
      ['http', 'teams', confirm.partialHttpMs],
      ['ice', 'teams', confirm.partialIceTcpMs],
    ]);
    // The pass lasts long enough for the lane's probes one after another.
    expect(confirmPassMs(slow, confirm)).toBeGreaterThanOrEqual(confirm.partialHttpMs + confirm.partialIceTcpMs);
    expect(confirmPassMs(slow, confirm)).toBeLessThanOrEqual(CONFIRM_LANES_MAX_MS);
    // On a link the parallel pass queued, every probe is slow and the pass already goes a few at a time: no lane.
    const queued = confirmDeadlines(40, 600);
    expect(planConfirmation(catalog, { http: [timeout(free.id)], ice: silentTcp }, nat, queued, 6, new Set([web.id])).every((t) => t.lane === undefined)).toBe(true);
    // A control's server answering is no news about Meet's own addresses.
    const meet = catalog.apps.find((a) => a.id === 'meet');
    const meetStun = meet?.media[0];
    const [meetWeb] = meet?.signalling ?? [];
    if (!meetStun || !meetWeb) throw new Error('catalog changed: Meet has a web host and a STUN server');
    expect(planConfirmation(catalog, { http: [timeout(meetWeb.id)], ice: [] }, nat, confirm, 6, new Set([meetStun.id])).map((t) => t.deadlineMs)).toEqual([confirm.httpMs]);
  });

  it('on a queued link sends the longest deadlines first, so two silent web hosts do not wait behind the UDP batch', () => {
    const teams = catalog.apps.find((a) => a.id === 'teams');
    const udp = teams?.media.find((m) => m.url.startsWith('turn:') && m.url.includes('transport=udp'));
    const tls = teams?.media.find((m) => m.url.startsWith('turns:'));
    if (!teams || !udp || !tls) throw new Error('catalog changed: Teams has TURN over UDP and TLS');
    const nat = { mapping: 'endpoint-independent' as const, answered: catalog.controls.stun.map((t) => t.id), srflxCount: 1, ipv6: false, ms: 40 };
    const silences = {
      http: teams.signalling.map((t) => timeout(t.id)),
      ice: [filtered(udp.id), { ...filtered(tls.id, 443), scheme: 'turns' as const, transport: 'tls' as const }],
    };
    const queued = confirmDeadlines(3, 195);
    expect(Number.isFinite(queued.concurrency)).toBe(true);
    expect(queued.httpMs).toBeGreaterThan(queued.iceTcpMs);
    expect(queued.iceTcpMs).toBeGreaterThan(queued.iceUdpMs);
    const kinds = (tasks: ReturnType<typeof planConfirmation>) => tasks.map((t) => (t.kind === 'http' ? 'http' : t.groups.map((g) => g.targets[0]?.id).join()));
    expect(kinds(planConfirmation(catalog, silences, nat, queued, 6))).toEqual(['http', 'http', tls.id, udp.id]);
    // Where the link did not queue every probe starts at once, and the order stays: UDP, HTTP, TCP.
    expect(kinds(planConfirmation(catalog, silences, nat, confirm, 6))).toEqual([udp.id, 'http', 'http', tls.id]);
  });

  it('has nothing to confirm when nothing was silent and the NAT probe heard every server', () => {
    const nat = { mapping: 'endpoint-independent' as const, answered: catalog.controls.stun.map((t) => t.id), srflxCount: 1, ipv6: false, ms: 40 };
    expect(planConfirmation(catalog, { http: [], ice: [] }, nat, confirm, 6)).toEqual([]);
  });
});

describe('confirmDeadlines', () => {
  it('runs everything at once on a link that did not queue, a few at a time on one that did, with deadlines from the loaded RTT', () => {
    expect(confirmDeadlines(40, 60).concurrency).toBe(Number.POSITIVE_INFINITY);
    // Queueing well below a slow link's already makes the pass go a few at a time.
    expect(confirmDeadlines(40, 180).concurrency).toBe(3);
    const slow = confirmDeadlines(120, 700);
    expect(slow.concurrency).toBe(3);
    expect(slow.httpMs).toBeGreaterThan(deadlinesFor(120).httpMs);
    expect(slow.passMs).toBeGreaterThanOrEqual(slow.httpMs);
    // On a queued link an HTTPS probe gets time for a SYN lost twice in the queue (resent at 1 s and 3 s).
    expect(confirmDeadlines(20, 700).httpMs).toBe(QUEUED_CONFIRM_HTTP_MS);
    expect(confirmDeadlines(20, 700).passMs).toBeGreaterThanOrEqual(QUEUED_CONFIRM_PASS_MS);
    expect(confirmDeadlines(20, 30).httpMs).toBeLessThan(QUEUED_CONFIRM_HTTP_MS);
    // Without any RTT, the ceilings.
    expect(confirmDeadlines(undefined, undefined)).toMatchObject({ iceUdpMs: 2500, httpMs: 4000, iceTcpMs: 4000 });
  });
});

describe('planPaths', () => {
  const reachable = (id: string): IceProbeResult => ({ id, scheme: 'stun', transport: 'udp', port: 3478, outcome: 'reachable', evidence: 'srflx', ms: 40 });
  it('times each answered path target once per URL, gives a server silent in both passes the burst alone, and skips the rest', () => {
    const teams = catalog.apps.find((a) => a.id === 'teams');
    const jitsi = catalog.apps.find((a) => a.id === 'jitsi');
    const slack = catalog.apps.find((a) => a.id === 'slack');
    const teamsRelay = teams?.media.find((m) => m.url.startsWith('turn:') && !m.url.includes('transport=tcp'));
    const jitsiStun = jitsi?.media.find((m) => m.url.startsWith('stun:'));
    const slackRelay = slack?.media.find((m) => m.url.startsWith('turn:') && !m.url.includes('transport=tcp'));
    if (!teamsRelay || !jitsiStun || !slackRelay) throw new Error('catalog changed: Teams/Slack UDP relays, Jitsi STUN expected');
    const ice = [reachable(teamsRelay.id), { ...filtered(jitsiStun.id), attempts: 2 }, filtered(slackRelay.id)];
    const tasks = planPaths(catalog, ice);
    expect(tasks.map((t) => [t.targets.map((x) => x.id), t.rtt])).toEqual([
      [[teamsRelay.id], true],
      [[jitsiStun.id], false],
    ]);
    // Silence seen once is not enough to spend a burst on; nothing probed, nothing planned.
    expect(planPaths(catalog, [])).toEqual([]);
  });
});

describe('planDns', () => {
  it('cross-checks each host with a name error or a bogon answer once, never an address, and only allowed ranges as real', () => {
    const web = catalog.apps.find((a) => a.id === 'viber')?.signalling[0];
    const other = catalog.apps.find((a) => a.id === 'whatsapp')?.signalling[0];
    if (!web || !other) throw new Error('catalog changed');
    const nx: HttpProbeResult = { id: web.id, outcome: 'failed', failure: 'dns_nxdomain_error', ms: 20 };
    const bogon: HttpProbeResult = { id: other.id, outcome: 'reachable', status: 200, ip: '198.18.10.5', ms: 20 };
    const fine: HttpProbeResult = { id: 'zoom.web', outcome: 'reachable', status: 200, ip: '151.101.1.1', ms: 20 }; // a public answer (only a string here)
    const tasks = planDns(catalog, [nx, bogon, fine], { allow: [] });
    expect(tasks.map((t) => [t.host, t.group.map((g) => g.target.id)])).toEqual([
      [new URL(web.url).hostname, [web.id]],
      [new URL(other.url).hostname, [other.id]],
    ]);
    // The lab's range allowed: its addresses are real answers, not bogons.
    expect(planDns(catalog, [bogon], { allow: ['198.18.0.0/15'] })).toEqual([]);
  });
});

describe('withConfirmDeadline / taskIds', () => {
  it("gives a task the confirmation pass's deadline for its kind, UDP ICE apart from TCP and TLS, and names every id it probes", () => {
    const target = (id: string, url: string) => ({ id, url, source: 'https://example.org' });
    const udp: ProbeTask = { kind: 'ice', deadlineMs: 1000, groups: [{ url: 'stun:s.example:3478', targets: [target('a', 'stun:s.example:3478'), target('b', 'stun:s.example:3478')] }] };
    const tls: ProbeTask = { kind: 'ice', deadlineMs: 1000, groups: [{ url: 'turns:t.example:443?transport=tcp', targets: [target('c', 'turns:t.example:443?transport=tcp')] }] };
    const web: ProbeTask = { kind: 'http', deadlineMs: 1500, url: 'https://w.example/', targets: [target('d', 'https://w.example/')] };
    expect([udp, tls, web].map((t) => withConfirmDeadline(t, confirm).deadlineMs)).toEqual([confirm.iceUdpMs, confirm.iceTcpMs, confirm.httpMs]);
    const confirmed = withConfirmDeadline(udp, confirm);
    expect(confirmed.kind === 'ice' && udp.kind === 'ice' && confirmed.groups === udp.groups).toBe(true);
    expect([udp, tls, web].map(taskIds)).toEqual([['a', 'b'], ['c'], ['d']]);
  });
});
