// Firefox: the background page has RTCPeerConnection, so ICE probes run right here.
import type { IceRequest, IceResponse } from '../core/messages';
import { handleIceRequest } from '../webrtc/handle-ice-request';
import type { IceHost } from './ice-host';

export const firefoxIceHost: IceHost = {
  run<T extends IceRequest>(request: T): Promise<IceResponse<T['type']>> {
    return handleIceRequest(request) as Promise<IceResponse<T['type']>>;
  },
};
