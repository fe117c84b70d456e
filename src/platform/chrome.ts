// Chrome and Chromium (measured in Chromium 156 on Debian; browser-behaviour.md).
import { CHROME_SCHEDULE } from '../core/loss';
import type { BrowserProfile } from './profile';

export const chromeProfile: BrowserProfile = {
  family: 'chrome',
  // Chrome gathers in phases one step apart (UDP, then relay, then TCP; libwebrtc basic_port_allocator.cc, step
  // kMinimumStepDelay = 50 ms): its TURN Allocate goes out 50 ms after the first UDP host candidate.
  timing: { schedule: CHROME_SCHEDULE, turnAllocateAfterHostMs: 50 },
  // Chrome refuses new connections once its process holds 500 not yet collected (peer-connections.ts): a check's RTT
  // samples share one connection, each a new media section on its own new sockets, so each is a fresh transaction.
  rttSamplesShareAConnection: true,
  // For the same limit the loss burst puts several exchanges in one connection (one connection per exchange broke
  // the seventh back-to-back check).
  lossExchangesPerConnection: 8,
  measuresLoss: true,
};
