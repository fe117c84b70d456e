// The ICE prober: opens one RTCPeerConnection per STUN/TURN URL and reports who answered, how, and how fast.
// Runs wherever RTCPeerConnection exists (Chrome offscreen document, Firefox background page).
import type { IceTarget } from '../core/catalog';
import type { IceProbeResult } from '../core/report';
import { classifyIce, type IceSighting } from './ice-sighting';

/**
 * Non-empty dummy credentials: a TURN server that answers with 401 has proved it is reachable over
 * that exact transport (browser-behaviour.md §4). Empty credentials make the constructor throw.
 */
const DUMMY_USERNAME = 'can-i-call-probe';
const DUMMY_CREDENTIAL = 'not-a-real-credential';

/** Probes every target in parallel, each in its own peer connection so each answer is attributable. */
export function probeIceTargets(targets: IceTarget[], deadlineMs: number): Promise<IceProbeResult[]> {
  return Promise.all(targets.map((target) => probeOne(target, deadlineMs)));
}

function probeOne(target: IceTarget, deadlineMs: number): Promise<IceProbeResult> {
  const sighting: IceSighting = { url: target.url, deadlineMs };
  let pc: RTCPeerConnection;
  try {
    pc = new RTCPeerConnection({
      iceServers: [{ urls: target.url, username: DUMMY_USERNAME, credential: DUMMY_CREDENTIAL }],
      iceCandidatePoolSize: 0,
    });
  } catch (error) {
    // A URL the browser refuses to parse is a catalog problem, reported as an unreachable target.
    return Promise.resolve(classifyIce(target.id, { ...sighting, error: { code: 0, text: String(error), ms: 0 } }));
  }
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      pc.close();
      resolve(classifyIce(target.id, sighting));
    };
    const timer = setTimeout(finish, deadlineMs);

    pc.addEventListener('icecandidate', (event) => {
      const candidate = event.candidate;
      if (!candidate) return;
      if (candidate.type === 'srflx' && sighting.srflxMs === undefined) sighting.srflxMs = elapsed();
      if (candidate.type === 'relay' && sighting.relayMs === undefined) sighting.relayMs = elapsed();
      if (candidate.type === 'srflx' || candidate.type === 'relay') finish();
    });
    pc.addEventListener('icecandidateerror', (event) => {
      const { errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
      // Address-family mismatches (e.g. an IPv6 socket and an IPv4-only server) are noise, not an answer.
      if (/incompatible/i.test(errorText)) return;
      sighting.error ??= { code: errorCode, text: errorText, ms: elapsed() };
      finish();
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      sighting.completeMs = elapsed();
      finish();
    });
    pc.createDataChannel('probe');
    pc.createOffer()
      .then((offer) => pc.setLocalDescription(offer))
      .catch((error: unknown) => {
        sighting.error ??= { code: 0, text: String(error), ms: elapsed() };
        finish();
      });
  });
}
