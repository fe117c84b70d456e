// Where ICE probes run: Chrome's offscreen document or, in Firefox, this background page itself.
import type { CallTestProgress } from '../core/call-test';
import type { IceRequest, IceResponse } from '../core/messages';

export interface IceHost {
  /** `onProgress` hears a call test's progress while it runs. */
  run<T extends IceRequest>(request: T, onProgress?: (progress: CallTestProgress) => void): Promise<IceResponse<T['type']>>;
}
