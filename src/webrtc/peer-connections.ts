// Every probe RTCPeerConnection is opened and closed here, so the prober can say how many were open at once.

let open = 0;
let peak = 0;

/** Opens a connection and returns it with its closer; closing twice counts once. */
export function openPeerConnection(config: RTCConfiguration): { pc: RTCPeerConnection; close(): void } {
  const pc = new RTCPeerConnection(config);
  open += 1;
  peak = Math.max(peak, open);
  let closed = false;
  return {
    pc,
    close() {
      if (closed) return;
      closed = true;
      open -= 1;
      pc.close();
    },
  };
}

/** Connections open now and the most open at once since this context started. */
export function peerConnectionStats(): { open: number; peak: number } {
  return { open, peak };
}
