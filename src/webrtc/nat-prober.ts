// NAT mapping: one RTCPeerConnection with several STUN servers. Candidate strings and addresses stay inside this
// module; only derived facts are returned.
import type { IceTarget } from '../core/catalog';
import { parseCandidate } from '../core/candidate';
import { inferNatMapping, type Srflx } from '../core/nat';
import type { NatResult } from '../core/report';
import { roundMs } from '../core/stats';
import { hasIceErrorEvents, probeServer } from './ice-prober';
import { openPeerConnection } from './peer-connections';

/** Firefox warns that five or more servers "causes problems" (browser-behaviour.md §5). */
const MAX_SERVERS_PER_CONNECTION = 4;

/**
 * Mapping behaviour needs ONE connection (one socket) talking to servers on different addresses: separate
 * connections would fake "symmetric" on a cone NAT. Chrome emits one srflx per distinct mapping, so gathering
 * must run to completion (or our deadline) before the count means anything.
 */
export async function probeNat(servers: IceTarget[], deadlineMs: number): Promise<NatResult> {
  const used = servers.slice(0, MAX_SERVERS_PER_CONNECTION);
  const connection = await openPeerConnection({ iceServers: used.map((server) => probeServer(server.url)), iceCandidatePoolSize: 0 });
  const { pc } = connection;
  const srflx: Srflx[] = [];
  const answeredUrls = new Set<string>();
  const failedUrls = new Set<string>();
  let ipv6 = false;
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const finish = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close();
      // Once gathering completed, every server without an error answered (a server whose answer equals our own
      // address yields no srflx). Before that, only servers that produced a candidate are known to have answered.
      const answered = used.filter((s) => answeredUrls.has(s.url) || (complete && !failedUrls.has(s.url))).map((s) => s.id);
      resolve({
        mapping: inferNatMapping(srflx, answered.length),
        answered,
        srflxCount: new Set(srflx.map((s) => `${s.ip}|${s.port}`)).size,
        ipv6,
        ms: roundMs(performance.now() - started),
      });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    pc.addEventListener('icecandidate', (event) => {
      const candidate = event.candidate;
      if (!candidate) return;
      const parsed = parseCandidate(candidate.candidate);
      if (!parsed) return;
      if (parsed.ip.includes(':')) ipv6 = true;
      if (parsed.type !== 'srflx') return;
      srflx.push({ ip: parsed.ip, port: parsed.port });
      // Chrome names the server (a non-standard field kept from an older spec); Firefox leaves it null, so there
      // the completion rule above decides.
      const { url } = candidate as RTCIceCandidate & { url?: string | null };
      if (url) answeredUrls.add(url);
    });
    if (hasIceErrorEvents()) {
      pc.addEventListener('icecandidateerror', (event) => {
        const { url, errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
        // A STUN/TURN error code (e.g. 401 for a TURN server) is an answer; 701 is the browser giving up.
        if (errorCode < 700) answeredUrls.add(url);
        else if (!/incompatible/i.test(errorText)) failedUrls.add(url);
      });
    }
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') finish(true);
    });
    pc.createDataChannel('nat');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch(() => finish(false));
  });
}
