// History rows say what differs from the check before: only apps judged in both, with a different verdict.
import { describe, expect, it } from 'vitest';
import { verdictChanges } from '../../src/core/history-diff';
import { appVerdict } from './fixtures/sample-report';

describe('verdictChanges', () => {
  it('lists the apps whose verdict changed, in the newer check\'s order', () => {
    const older = { apps: [appVerdict('whatsapp', { verdict: 'blocked' }), appVerdict('signal'), appVerdict('teams', { verdict: 'degraded' })] };
    const newer = { apps: [appVerdict('teams'), appVerdict('signal'), appVerdict('whatsapp')] };
    expect(verdictChanges(older, newer)).toEqual([
      { appId: 'teams', from: 'degraded', to: 'works' },
      { appId: 'whatsapp', from: 'blocked', to: 'works' },
    ]);
  });

  it('ignores apps only one check judged, and says nothing when nothing changed', () => {
    expect(verdictChanges({ apps: [appVerdict('signal')] }, { apps: [appVerdict('signal'), appVerdict('viber', { verdict: 'blocked' })] })).toEqual([]);
  });
});
