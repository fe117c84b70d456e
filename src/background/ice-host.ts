// Where ICE probes run: Chrome's offscreen document or, in Firefox, this background page itself.
import type { IceRequest, IceResponse } from '../core/messages';

export interface IceHost {
  run<T extends IceRequest>(request: T): Promise<IceResponse<T['type']>>;
}
