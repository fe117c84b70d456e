// A limit of this device, not of the network: the browser would open no more RTCPeerConnections. A check that meets it
// ends as failed with this error, because a half-measured check would judge apps from what it could not measure.

const MESSAGE = 'This browser refused to open more call connections for now (too many were opened recently). Close this window and try again in a minute.';

export class PeerConnectionLimitError extends Error {
  constructor(cause?: unknown) {
    super(MESSAGE, cause === undefined ? undefined : { cause });
    this.name = 'PeerConnectionLimitError';
  }
}

/** The error again after it crossed a message boundary as text (Chrome's offscreen document answers with words). */
export function fromErrorText(text: string): Error {
  return isPeerConnectionLimitText(text) ? new PeerConnectionLimitError() : new Error(text);
}

/** Whether a failed check's error is this limit (the report keeps errors as text): the popup says it in the person's language. */
export function isPeerConnectionLimitText(text: string | undefined): boolean {
  return text === MESSAGE;
}
