// Answers an IceRequest with the prober: the one entry point both the offscreen document and the Firefox background use.
import type { CallTestProgress } from '../core/call-test';
import type { IceRequest, IceResponse } from '../core/messages';
import { runCallLoopback } from './call-loopback';
import { awaitDecision, decide, forgetDecision } from './call-gate';
import { probeIceTargets } from './ice-prober';
import { probeLoss } from './loss-prober';
import { probeNat } from './nat-prober';
import { probeRtt } from './rtt-prober';
import { peerConnectionStats } from './peer-connections';

export async function handleIceRequest(
  request: IceRequest,
  onProgress?: (progress: CallTestProgress) => void,
): Promise<IceResponse<IceRequest['type']>> {
  switch (request.type) {
    case 'ice':
      return probeIceTargets(request.targets, request.deadlineMs);
    case 'nat':
      return probeNat(request.servers, request.deadlineMs);
    case 'rtt':
      return probeRtt(request.target, request.samples, request.deadlineMs);
    case 'loss':
      return probeLoss(request.target, request.exchanges, request.deadlineMs);
    case 'callTest': {
      if (!request.gated) return runCallLoopback(request.relay, request.durationMs, onProgress, request.window);
      const { id } = request;
      return runCallLoopback(request.relay, request.durationMs, onProgress, request.window, awaitDecision(id)).finally(() => forgetDecision(id));
    }
    case 'callGate':
      return { asked: decide(request.id, request.go) };
    case 'stats':
      return peerConnectionStats();
    default: {
      const unknown: never = request;
      throw new Error(`unknown ICE request ${JSON.stringify(unknown)}`);
    }
  }
}
