// Chrome's offscreen document: owns the RTCPeerConnections the service worker cannot create, and only answers messages aimed at it.
import { OFFSCREEN_TARGET, type Answer, type BackgroundRequest, type OffscreenMessage } from '../core/messages';
import type { CallTestProgress } from '../core/call-test';
import { handleIceRequest } from '../webrtc/handle-ice-request';
import { errorText } from '../core/error-text';

function isForUs(message: unknown): message is OffscreenMessage {
  return typeof message === 'object' && message !== null && (message as { target?: unknown }).target === OFFSCREEN_TARGET;
}

// Registered at top level: createDocument resolves after this script has run (browser-behaviour.md §2).
chrome.runtime.onMessage.addListener((message: unknown, _sender, sendResponse: (answer: Answer<unknown>) => void) => {
  if (!isForUs(message)) return false;
  const { request } = message;
  // A call test's progress goes to the worker as its own messages while the answer waits for the end.
  const onProgress =
    request.type === 'callTest'
      ? (progress: CallTestProgress) => {
          const update: BackgroundRequest = { type: 'callTestProgress', id: request.id, progress };
          chrome.runtime.sendMessage(update).catch(() => undefined);
        }
      : undefined;
  handleIceRequest(request, onProgress).then(
    (value) => sendResponse({ ok: true, value }),
    (error: unknown) => sendResponse({ ok: false, error: errorText(error) }),
  );
  return true;
});

// Nobody watches this document's console: hand uncaught errors to the worker, whose console developers and tests read.
function reportError(message: string): void {
  const request: BackgroundRequest = { type: 'reportError', where: 'offscreen', message };
  chrome.runtime.sendMessage(request).catch(() => undefined);
}
addEventListener('error', (event) => reportError(event.message));
addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => reportError(String(event.reason)));
