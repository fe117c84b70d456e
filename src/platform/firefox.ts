// Firefox (measured in Firefox ESR 153 on Debian; browser-behaviour.md).
import { FIREFOX_SCHEDULE } from '../core/loss';
import type { BrowserProfile } from './profile';

export const firefoxProfile: BrowserProfile = {
  family: 'firefox',
  // Firefox sends its TURN Allocate at once (108-161 ms against a responder answering after 50 ms).
  timing: { schedule: FIREFOX_SCHEDULE, turnAllocateAfterHostMs: 0 },
  // Firefox's TURN errors name no socket, so a sample's answer could not be told from an earlier section's late one:
  // one connection per sample.
  rttSamplesShareAConnection: false,
  // Firefox retransmits after only 100 ms, within the spread of its sections' start times (a clean server read as
  // 40 % loss): each exchange keeps its own connection, timed from its first host candidate.
  lossExchangesPerConnection: 1,
  // Even so, 64 connections set up at once scatter more than 100 ms: on a clean loopback server the burst read 8-20 %
  // loss. Without a trustworthy estimate a check reports none.
  measuresLoss: false,
};
