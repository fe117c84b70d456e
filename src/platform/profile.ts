// What the probes must know of the browser they run in. One profile per browser (chrome.ts, firefox.ts), chosen once
// (current.ts): the rest of the code asks the profile, never the browser's name.
import type { BrowserTiming } from '../core/rtt';

export interface BrowserProfile {
  family: 'chrome' | 'firefox';
  /** Its STUN retransmission schedule and TURN timing, which RTT samples and the loss burst are read against (rtt.ts, loss.ts). */
  timing: BrowserTiming;
  /** Whether a check's RTT samples may share one connection, each in a new media section (rtt-prober.ts). */
  rttSamplesShareAConnection: boolean;
  /** Exchanges of the loss burst per connection (loss-prober.ts). */
  lossExchangesPerConnection: number;
  /** Whether the loss burst's timing is trustworthy enough for a check to report loss at all. */
  measuresLoss: boolean;
}
