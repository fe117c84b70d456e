// Answers an IceRequest with the prober: the one entry point both the offscreen document and the Firefox background use.
import type { IceRequest, IceResponse } from '../core/messages';
import { probeIceTargets } from './ice-prober';

export async function handleIceRequest(request: IceRequest): Promise<IceResponse<IceRequest['type']>> {
  switch (request.type) {
    case 'ice':
      return probeIceTargets(request.targets, request.deadlineMs);
    case 'nat':
    case 'rtt':
      throw new Error(`${request.type} probes are not implemented yet`);
    default: {
      const unknown: never = request;
      throw new Error(`unknown ICE request ${JSON.stringify(unknown)}`);
    }
  }
}
