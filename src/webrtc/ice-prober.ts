// The ICE prober: opens one RTCPeerConnection per STUN/TURN URL and reports who answered, how, and how fast.
// Runs wherever RTCPeerConnection exists (Chrome offscreen document, Firefox background page).
import type { IceTarget } from '../core/catalog';
import { classifyIce, isDecisiveIceError, type IceErrorEvent, type IceObservation } from '../core/classify-ice';
import type { IceProbeResult } from '../core/report';
import { PeerConnectionLimitError } from '../core/device-limit';
import { openPeerConnection } from './peer-connections';

/**
 * Non-empty dummy credentials: a TURN server that answers with 401 has proved it is reachable over
 * that exact transport (browser-behaviour.md §4). Empty credentials make the constructor throw. The
 * username travels in clear in a TURN Allocate, so it is shaped like a TURN REST API username
 * (expiry:id) and names nothing; the password never leaves the browser (only an HMAC over it would).
 */
function dummyUsername(): string {
  const expiry = Math.floor(Date.now() / 1000) + 86_400;
  return `${expiry}:${Math.floor(Math.random() * 1e9).toString(36)}`;
}
const DUMMY_CREDENTIAL = 'x';

/** An RTCIceServer for a probe URL; STUN ignores the credentials, TURN needs them to be non-empty. */
export function probeServer(url: string): RTCIceServer {
  return { urls: url, username: dummyUsername(), credential: DUMMY_CREDENTIAL };
}

/**
 * Firefox shipped `icecandidateerror` only in 150 (browser-behaviour.md §3) and the add-on supports 140: without
 * it a TURN server's 401 is invisible and only candidates, gathering completion or our deadline remain.
 */
export function hasIceErrorEvents(): boolean {
  return 'onicecandidateerror' in RTCPeerConnection.prototype;
}

/** Probes every target in parallel, each in its own peer connection so each answer is attributable. */
export function probeIceTargets(targets: IceTarget[], deadlineMs: number): Promise<IceProbeResult[]> {
  return Promise.all(targets.map(async (target) => (await probeIceTarget(target, deadlineMs)).result));
}

/**
 * One probe, with the time its first host candidate appeared: the browser binds its sockets, emits host candidates,
 * then sends STUN. Timing the answer from that moment leaves out the local set-up cost of a new peer connection,
 * which grows and varies with CPU load (a busy machine would otherwise read as network jitter).
 */
export async function probeIceTarget(target: IceTarget, deadlineMs: number): Promise<{ result: IceProbeResult; hostMs?: number }> {
  const errors: IceErrorEvent[] = [];
  const seen: IceObservation = { id: target.id, url: target.url, deadlineMs, errors };
  let connection: Awaited<ReturnType<typeof openPeerConnection>>;
  try {
    connection = await openPeerConnection({ iceServers: [probeServer(target.url)], iceCandidatePoolSize: 0 });
  } catch (error) {
    // Too many connections is this device's limit, not the server's: the probe fails and its result stays absent.
    if (error instanceof PeerConnectionLimitError) throw error;
    // A URL the browser refuses is a catalog problem, reported as the browser giving up at once.
    errors.push({ code: 701, text: `rejected by the browser: ${String(error)}`, ms: 0 });
    return { result: classifyIce(seen) };
  }
  let hostMs: number | undefined;
  const { pc } = connection;
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close();
      resolve({ result: classifyIce(seen), ...(hostMs === undefined ? {} : { hostMs }) });
    };
    // Never wait for the browser's own give-up (~40 s in Chrome): our deadline decides.
    const timer = setTimeout(finish, deadlineMs);

    pc.addEventListener('icecandidate', (event) => {
      const type = event.candidate?.type;
      if (type === 'host') hostMs ??= performance.now() - started;
      if (type === 'host' && event.candidate?.protocol === 'udp') seen.udpHostCandidate = true;
      if (type === 'srflx') seen.firstSrflxMs ??= elapsed();
      else if (type === 'relay') seen.firstRelayMs ??= elapsed();
      else return;
      finish();
    });
    if (hasIceErrorEvents()) {
      pc.addEventListener('icecandidateerror', (event) => {
        const { errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
        const error = { code: errorCode, text: errorText, ms: elapsed() };
        errors.push(error);
        if (isDecisiveIceError(error, target.url)) finish();
      });
    }
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      seen.gatheringCompleteMs = elapsed();
      finish();
    });
    pc.createDataChannel('probe');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: unknown) => {
        errors.push({ code: 701, text: String(error), ms: elapsed() });
        finish();
      });
  });
}
