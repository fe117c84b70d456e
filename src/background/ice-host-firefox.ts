// Firefox: the background page has RTCPeerConnection, so ICE probes run right here.
import type { CallTestProgress } from '../core/call-test';
import type { IceRequest, IceResponse } from '../core/messages';
import { handleIceRequest } from '../webrtc/handle-ice-request';
import type { IceHost } from './ice-host';

export const firefoxIceHost: IceHost = {
  run<T extends IceRequest>(request: T, onProgress?: (progress: CallTestProgress) => void): Promise<IceResponse<T['type']>> {
    return handleIceRequest(request, onProgress) as Promise<IceResponse<T['type']>>;
  },
};
