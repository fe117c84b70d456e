// The extension in real Chromium: the shared contract (extension-contract.ts) on Chromium's harness, plus what only Chromium's resolver rules show.
import { describe, expect } from 'vitest';
import { chromiumHarness } from './chromium-harness';
import { describeExtensionContract, extensionTest } from './extension-contract';

const it = extensionTest(chromiumHarness);
const ice = (id: string, url: string) => ({ id, url, source: 'https://example.org/test' });

describe('only in Chromium', () => {
  it('resolves no name but loopback in tests, for HTTP and for ICE', async ({ ext }) => {
    const { result } = await ext.ask({ type: 'probeHttp', url: 'https://stun.l.google.com/', deadlineMs: 2000 });
    // No host permission for this name in the test build, so only fetch's own (uninformative) error is seen.
    expect(result).toMatchObject({ outcome: 'failed', rawError: 'TypeError: Failed to fetch' });
    const { results } = await ext.ask({ type: 'probeIce', deadlineMs: 2000, targets: [ice('named', 'stun:stun.l.google.com:19302')] });
    expect(results[0]).toMatchObject({ outcome: 'unreachable', failure: 'dns_lookup_error' });
  });
});

describeExtensionContract(it, chromiumHarness.profile);
