// The quick call window's go-ahead in the ICE host: a decision reaches its loopback whichever message came first.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awaitDecision, decide, forgetDecision } from '../../src/webrtc/call-gate';

describe('call gate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands a loopback waiting for its decision the decision, and only its own', async () => {
    const mine = awaitDecision('a');
    const other = vi.fn();
    void awaitDecision('b').then(other);
    expect(decide('a', true)).toBe(true);
    await expect(mine).resolves.toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(other).not.toHaveBeenCalled();
    forgetDecision('a');
    forgetDecision('b');
  });

  it('keeps a decision that overtook its loopback’s request until the loopback asks', async () => {
    expect(decide('late', false)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(awaitDecision('late')).resolves.toBe(false);
    forgetDecision('late');
  });

  it('forgets a decision no loopback asked for', async () => {
    decide('orphan', true);
    await vi.advanceTimersByTimeAsync(10_000);
    // Asked again after that, it is a new window's wait: nothing decided yet.
    const settled = vi.fn();
    void awaitDecision('orphan').then(settled);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).not.toHaveBeenCalled();
    forgetDecision('orphan');
  });
});
