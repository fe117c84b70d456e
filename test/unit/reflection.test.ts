// Port reflection: which of an app's call ports are probed through our relay, how they are planned, and how an app with no media server of its own is judged from them.
import { describe, expect, it } from 'vitest';
import { parseCatalog, type App, type Catalog } from '../../src/core/catalog';
import { planApps, planConfirmation } from '../../src/core/check-plan';
import { confirmDeadlines, deadlinesFor } from '../../src/core/deadlines';
import { isGuessed } from '../../src/core/headline';
import { isReflectable, isStunPortAllowed, parseReflector, plannedReflection, portsEvidence, reflectionPorts, reflectorId, withReflector, type Reflector } from '../../src/core/reflection';
import type { IceProbeResult, Observations } from '../../src/core/report';
import { judge } from '../../src/core/verdict';
import { bundledCatalog, openNetwork, silenceIce, unconfirmed } from './fixtures/observations';

const bundled = bundledCatalog();
const appOf = (catalog: Catalog, id: string): App => {
  const app = catalog.apps.find((a) => a.id === id);
  if (app === undefined) throw new Error(`no app ${id}`);
  return app;
};

/** Every port the bundled catalog documents, as a relay that reflects them all would list them. */
const everyPort: Reflector = { host: 'relay.example', port: 3478, ports: [...new Set(bundled.apps.flatMap((app) => app.udpPorts))] };
const reflected = withReflector(bundled, everyPort);

function verdictOf(catalog: Catalog, obs: Observations, appId: string, final = true) {
  return judge(catalog, obs, { final }).apps.find((a) => a.appId === appId);
}

const isReflection = (r: IceProbeResult) => r.id.startsWith('reflector.');
const port = (n: number) => (r: IceProbeResult) => r.id === reflectorId(n);
/** Telegram's own call servers (unverified, UDP 1400): silent wherever UDP 1400 is. */
const telegramServers = (r: IceProbeResult) => r.id.startsWith('telegram.media.');

describe('the ports reflected per app', () => {
  it('takes one port from each documented group before a second from any, at most two', () => {
    const all = new Set(everyPort.ports);
    expect(reflectionPorts(appOf(bundled, 'viber'), all)).toEqual([7985, 443]);
    expect(reflectionPorts(appOf(bundled, 'telegram'), all)).toEqual([1400, 596]);
    expect(reflectionPorts(appOf(bundled, 'discord'), all)).toEqual([19294, 19295]);
    expect(reflectionPorts(appOf(bundled, 'teamspeak'), all)).toEqual([9987]);
  });

  it('reflects only what the relay serves, and none for an app with a media server of its own over UDP', () => {
    expect(reflectionPorts(appOf(bundled, 'whatsapp'), new Set(everyPort.ports))).toEqual([]);
    expect(reflectionPorts(appOf(bundled, 'slack'), new Set(everyPort.ports))).toEqual([]);
    // Zoom's own server is TURN over TLS only: its UDP is still told by its ports, media ports first.
    expect(reflectionPorts(appOf(bundled, 'zoom'), new Set(everyPort.ports))).toEqual([8801, 8802]);
    expect(reflectionPorts(appOf(bundled, 'zoom'), new Set([3478, 8805]))).toEqual([8805, 3478]);
    expect(reflectionPorts(appOf(bundled, 'viber'), new Set([5243]))).toEqual([5243]);
    expect(reflectionPorts(appOf(bundled, 'tango'), new Set(everyPort.ports))).toEqual([]);
    // Meet's one media target is a control's server: it has none of its own, so its ports are reflected.
    expect(reflectionPorts(appOf(bundled, 'meet'), new Set(everyPort.ports))).toEqual([3478, 19302]);
  });

  it('never plans a port the browsers refuse (they would only ever read as silent)', () => {
    for (const refused of [21, 53, 5060, 6000, 10080]) expect(isStunPortAllowed(refused)).toBe(false);
    for (const allowed of [80, 443, 596, 1023, 1400, 3478, 8801]) expect(isStunPortAllowed(allowed)).toBe(true);
    const sip: App = { ...appOf(bundled, 'teamspeak'), udpPorts: [5060, 9987], udpPortSources: [{ ports: [5060, 9987], source: 'https://example.org/' }] };
    expect(reflectionPorts(sip, new Set([5060, 9987]))).toEqual([9987]);
  });
});

describe('the catalog of a check with the relay', () => {
  it('is the catalog as it is without a reflector', () => {
    expect(withReflector(bundled, undefined)).toBe(bundled);
    const ownServersOnly = { ...bundled, apps: [appOf(bundled, 'whatsapp'), appOf(bundled, 'jitsi')] };
    expect(withReflector(ownServersOnly, everyPort)).toBe(ownServersOnly);
    // A relay reflecting nothing still answers on its own port, which FaceTime and Meet list.
    expect(withReflector(bundled, { host: 'relay.example', port: 3478, ports: [] }).reflection?.map((t) => t.url)).toEqual(['stun:relay.example:3478', 'stun:relay.example:3478']);
    // The control is the relay's own port, whichever it is; an app port on it shares its probe.
    expect(withReflector(bundled, { host: 'relay.example', port: 3480, ports: [9987] }).reflection?.map((t) => [t.id, t.url])).toEqual([
      ['reflector.control', 'stun:relay.example:3480'],
      ['reflector.3480', 'stun:relay.example:3480'],
      ['reflector.9987', 'stun:relay.example:9987'],
    ]);
  });

  it("lists the relay's own port first, then each port once for every app that lists it", () => {
    const ids = reflected.reflection?.map((t) => t.id) ?? [];
    expect(ids[0]).toBe('reflector.control');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['reflector.7985', 'reflector.443', 'reflector.1400', 'reflector.596', 'reflector.9987', 'reflector.19294']));
    expect(reflected.reflection?.every((t) => t.url.startsWith('stun:relay.example:'))).toBe(true);
  });

  it('takes an IPv6 relay address in brackets, and refuses a bad reflector with a clear error', () => {
    expect(withReflector(bundled, { host: '[2001:db8::7]', port: 3478, ports: [9987] }).reflection?.map((t) => t.url)).toEqual(['stun:[2001:db8::7]:3478', 'stun:[2001:db8::7]:3478', 'stun:[2001:db8::7]:9987']);
    expect(parseReflector({ host: '2001:db8::7', port: 3478, ports: [] })).toMatchObject({ ok: false, error: /invalid reflector at host/ });
    expect(parseReflector({ host: 'relay.example', port: 3478, ports: [70000] })).toMatchObject({ ok: false });
    expect(parseReflector({ host: 'relay.example', ports: [9987] })).toMatchObject({ ok: false, error: /invalid reflector at port/ });
  });

  it('is refused in catalog data: only a check the person allowed the relay for has it', () => {
    const parsed = parseCatalog(JSON.parse(JSON.stringify(reflected)));
    expect(parsed.ok ? 'accepted' : parsed.error).toMatch(/invalid catalog at reflection/);
  });

  it('probes the reflection with the other UDP media, and its silences again in the confirmation pass', () => {
    const deadlines = deadlinesFor(40);
    const plan = planApps(reflected, deadlines, [], 6);
    const probed = plan.tasks.flatMap((task) => (task.kind === 'ice' ? task.groups.map((g) => ({ ids: g.targets.map((t) => t.id), deadlineMs: task.deadlineMs })) : []));
    const reflections = probed.filter((p) => p.ids.some((id) => id.startsWith('reflector.')));
    // Each reflection target once; the control and an app port on the relay's own port share one probe.
    expect(reflections.flatMap((p) => p.ids).sort()).toEqual((reflected.reflection ?? []).map((t) => t.id).sort());
    expect(reflections.find((p) => p.ids.includes('reflector.control'))?.ids).toEqual(['reflector.control', 'reflector.3478']);
    expect(reflections.every((p) => p.deadlineMs === deadlines.iceUdpMs)).toBe(true);
    const silent: IceProbeResult = { id: 'reflector.9987', scheme: 'stun', transport: 'udp', port: 9987, outcome: 'filtered', evidence: 'deadline', failure: 'generic_timeout_error', ms: 1000 };
    const again = planConfirmation(reflected, { http: [], ice: [silent] }, undefined, confirmDeadlines(40, 45), 6);
    expect(again.flatMap((t) => (t.kind === 'ice' ? t.groups.map((g) => g.url) : []))).toEqual(['stun:relay.example:9987']);
  });
});

describe('an app judged from its call ports', () => {
  const open = openNetwork(reflected);

  it('works, tested through our relay, at medium confidence whatever its catalog confidence', () => {
    expect(verdictOf(reflected, open, 'facetime')).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: ['MEDIA_REFLECTED'] });
    expect(verdictOf(bundled, openNetwork(bundled), 'facetime')).toMatchObject({ verdict: 'works', confidence: 'low', reasons: ['MEDIA_INFERRED'] });
    const teamspeak = verdictOf(reflected, open, 'teamspeak');
    expect(teamspeak !== undefined && isGuessed(teamspeak)).toBe(false);
  });

  it("is blocked when its ports stay silent in both passes while the relay's own port answers", () => {
    const dropped = silenceIce(open, (r) => port(1400)(r) || port(596)(r) || telegramServers(r));
    const telegram = verdictOf(reflected, dropped, 'telegram');
    expect(telegram).toMatchObject({ verdict: 'blocked', calls: 'blocked', confidence: 'medium', reasons: ['CALL_PORTS_BLOCKED', 'MEDIA_REFLECTED'] });
    expect(telegram?.advice).toEqual(expect.arrayContaining(['TRY_VPN', 'USE_APP_THAT_WORKS']));
    // Other apps' ports answered: they are not touched.
    expect(verdictOf(reflected, dropped, 'teamspeak')?.verdict).toBe('works');
    // The headline's confidence counts it as tested.
    expect(telegram !== undefined && isGuessed(telegram)).toBe(false);
  });

  it('falls back to TCP when it can: calls degraded, not blocked', () => {
    const dropped = silenceIce(open, (r) => port(7985)(r) || port(443)(r));
    expect(verdictOf(reflected, dropped, 'viber')).toMatchObject({ verdict: 'degraded', calls: 'partial', reasons: ['CALL_PORTS_BLOCKED', 'UDP_BLOCKED_TCP_FALLBACK', 'MEDIA_REFLECTED'] });
  });

  it("judges the UDP of an app whose own server is TCP/TLS only from its ports: Zoom's media ports dropped fall back to its TLS relay", () => {
    expect(verdictOf(reflected, open, 'zoom')).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: ['MEDIA_REFLECTED'] });
    const dropped = silenceIce(open, (r) => port(8801)(r) || port(8802)(r));
    expect(verdictOf(reflected, dropped, 'zoom')).toMatchObject({
      verdict: 'degraded',
      calls: 'partial',
      // The fallback that decides is its next transport, TCP, inferred from the controls' HTTPS.
      confidence: 'low',
      reasons: ['CALL_PORTS_BLOCKED', 'UDP_BLOCKED_TCP_FALLBACK', 'MEDIA_REFLECTED'],
    });
    // 3478 answering (probed for FaceTime and Meet, and the relay's own port) is not Zoom's sample: it hides nothing.
    expect(dropped.ice.find(port(3478))?.outcome).toBe('reachable');
    expect(verdictOf(reflected, dropped, 'facetime')?.verdict).toBe('works');
    // Without the relay its UDP stays inferred, as before.
    expect(verdictOf(bundled, openNetwork(bundled), 'zoom')).toMatchObject({ verdict: 'works', confidence: 'low', reasons: [] });
  });

  it("never lets a port another app's sample added stand in for a planned port that has no result", () => {
    const dropped = silenceIce(open, port(8801));
    const without8802 = { ...dropped, ice: dropped.ice.filter((r) => !port(8802)(r)) };
    // 3478 answered (FaceTime's and Meet's sample, the relay's own port), 8801 silent, 8802 never measured.
    expect(without8802.ice.find(port(3478))?.outcome).toBe('reachable');
    const zoom = verdictOf(reflected, without8802, 'zoom');
    expect(zoom?.reasons).not.toContain('MEDIA_REFLECTED');
    expect(zoom?.reasons).not.toContain('CALL_PORTS_BLOCKED');
    // The collector has no plan: there the sample is read back from the results, as it always was.
    expect(portsEvidence(appOf(reflected, 'zoom'), new Map(without8802.ice.map((r) => [r.id, r])))).toEqual({ kind: 'open' });
    expect(portsEvidence(appOf(reflected, 'zoom'), new Map(without8802.ice.map((r) => [r.id, r])), plannedReflection(reflected).reflected)).toEqual({ kind: 'none' });
  });

  it('says nothing from silence when the relay itself did not answer: judged as without the relay', () => {
    const relayDown = silenceIce(open, (r) => isReflection(r) || telegramServers(r));
    expect(verdictOf(reflected, relayDown, 'telegram')).toMatchObject({ verdict: 'works', confidence: 'low', reasons: ['MEDIA_INFERRED'] });
  });

  it("takes an unverified server of the app's own that answered over its reflected ports, and falls back to them when it is silent", () => {
    // Telegram's call servers answered though its reflected ports did not: the path to Telegram's own server is the
    // more direct evidence.
    const portsSilent = silenceIce(open, (r) => port(1400)(r) || port(596)(r));
    expect(verdictOf(reflected, portsSilent, 'telegram')).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: [] });
    // Its servers silent, the reflected ports answering: judged from them, as an app without a server of its own.
    expect(verdictOf(reflected, silenceIce(open, telegramServers), 'telegram')).toMatchObject({ verdict: 'works', confidence: 'medium', reasons: ['MEDIA_REFLECTED'] });
  });

  it('says nothing from one pass of silence, nor from an error on a port', () => {
    const once = unconfirmed(silenceIce(open, port(9987)));
    expect(verdictOf(reflected, once, 'teamspeak')?.reasons).toEqual(['MEDIA_INFERRED']);
    const refused: Observations = {
      ...open,
      ice: open.ice.map((r) => (port(9987)(r) ? { ...r, outcome: 'unreachable', evidence: 'error-701', errorCode: 701, failure: 'connection_refused' } : r)),
    };
    expect(verdictOf(reflected, refused, 'teamspeak')?.reasons).toEqual(['MEDIA_INFERRED']);
  });

  it('is pending while its reflection has no result, and judged from general tests once the check is over', () => {
    const missing: Observations = { ...open, ice: open.ice.filter((r) => !port(9987)(r)) };
    expect(verdictOf(reflected, missing, 'teamspeak', false)).toBeUndefined();
    expect(verdictOf(reflected, missing, 'telegram', false)?.verdict).toBe('works');
    expect(verdictOf(reflected, missing, 'teamspeak', true)).toMatchObject({ verdict: 'works', reasons: ['MEDIA_INFERRED'] });
  });

  it('leaves apps with servers of their own, and every app without the relay, exactly as before', () => {
    for (const app of bundled.apps.filter((a) => !isReflectable(a))) {
      expect(verdictOf(reflected, open, app.id)).toEqual(verdictOf(bundled, openNetwork(bundled), app.id));
    }
    const plain = openNetwork(bundled);
    expect(judge(bundled, plain, { final: true })).toEqual(judge(withReflector(bundled, undefined), plain, { final: true }));
  });
});
