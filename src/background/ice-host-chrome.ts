// Chrome: the service worker has no RTCPeerConnection, so ICE probes run in one offscreen document created on demand and closed when idle.
import { OFFSCREEN_TARGET, type Answer, type IceRequest, type IceResponse, type OffscreenMessage } from '../core/messages';
import type { CallTestProgress } from '../core/call-test';
import { fromErrorText } from '../core/device-limit';
import { listenToCallTest } from './call-test-progress';
import type { IceHost } from './ice-host';

const DOCUMENT_PATH = 'src/offscreen/index.html';
/** Close the document this long after its last request finished: it holds sockets and memory. */
const IDLE_CLOSE_MS = 10_000;

let creating: Promise<void> | null = null;
let pending = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

async function hasDocument(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(DOCUMENT_PATH)],
  });
  return contexts.length > 0;
}

async function ensureDocument(): Promise<void> {
  if (await hasDocument()) return;
  // Only one offscreen document may exist: concurrent callers share one creation.
  creating ??= chrome.offscreen
    .createDocument({
      url: DOCUMENT_PATH,
      reasons: [chrome.offscreen.Reason.WEB_RTC],
      justification: 'Runs STUN/TURN reachability probes with RTCPeerConnection, which service workers lack.',
    })
    .finally(() => {
      creating = null;
    });
  await creating;
}

async function closeIfIdle(): Promise<void> {
  if (pending > 0 || creating) return;
  if (await hasDocument()) await chrome.offscreen.closeDocument();
}

export const chromeIceHost: IceHost = {
  async run<T extends IceRequest>(request: T, onProgress?: (progress: CallTestProgress) => void): Promise<IceResponse<T['type']>> {
    pending += 1;
    clearTimeout(idleTimer);
    const stopListening = request.type === 'callTest' && onProgress ? listenToCallTest(request.id, onProgress) : undefined;
    try {
      await ensureDocument();
      const message: OffscreenMessage = { target: OFFSCREEN_TARGET, request };
      const answer = (await chrome.runtime.sendMessage(message)) as Answer<IceResponse<T['type']>> | undefined;
      if (!answer) throw new Error('the offscreen document did not answer');
      if (!answer.ok) throw fromErrorText(answer.error);
      return answer.value;
    } finally {
      stopListening?.();
      pending -= 1;
      if (pending === 0) {
        idleTimer = setTimeout(() => {
          closeIfIdle().catch((error: unknown) => console.warn('closing the offscreen document failed', error));
        }, IDLE_CLOSE_MS);
      }
    }
  },
};
