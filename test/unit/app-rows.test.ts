// Popup rows: pinned apps first, pending while a check runs, only judged apps once it is done.
import { describe, expect, it } from 'vitest';
import { buildRows, probeCounts, progressOf, type CatalogEntry } from '../../src/popup/app-rows';
import { appVerdict, sampleReport } from './fixtures/sample-report';

const catalog: CatalogEntry[] = [
  { id: 'whatsapp', name: 'WhatsApp' },
  { id: 'signal', name: 'Signal' },
  { id: 'teams', name: 'Microsoft Teams', noteKey: 'note_skype_retired' },
  { id: 'zoom', name: 'Zoom' },
];

const ids = (rows: { appId: string }[]) => rows.map((row) => row.appId);

describe('buildRows', () => {
  it('lists the whole catalog as not checked when there is no report', () => {
    const rows = buildRows(catalog, null, []);
    expect(ids(rows)).toEqual(['whatsapp', 'signal', 'teams', 'zoom']);
    expect(rows.every((row) => row.state.kind === 'not-checked')).toBe(true);
  });

  it('puts pinned apps first and keeps catalog order within each group', () => {
    const rows = buildRows(catalog, null, ['zoom', 'signal']);
    expect(ids(rows)).toEqual(['signal', 'zoom', 'whatsapp', 'teams']);
    expect(rows.map((row) => row.pinned)).toEqual([true, true, false, false]);
  });

  it('marks apps without a verdict as pending while the check runs', () => {
    const running = sampleReport({ status: 'running', finishedAt: undefined, overall: undefined, apps: [appVerdict('signal', { verdict: 'blocked' })] });
    const rows = buildRows(catalog, running, []);
    expect(rows.map((row) => row.state.kind)).toEqual(['pending', 'result', 'pending', 'pending']);
    expect(progressOf(rows)).toEqual({ done: 1, total: 4 });
  });

  it('shows every app pending while a requested check has not reported yet', () => {
    const rows = buildRows(catalog, null, [], true);
    expect(rows.every((row) => row.state.kind === 'pending')).toBe(true);
    expect(progressOf(rows)).toEqual({ done: 0, total: 4 });
  });

  it('shows only the judged apps of a finished report, with the note carried over', () => {
    const rows = buildRows(catalog, sampleReport(), []);
    expect(ids(rows)).toEqual(['signal', 'teams', 'whatsapp']);
    expect(rows[1]?.noteKey).toBe('note_skype_retired');
    const signal = rows[0]?.state;
    expect(signal?.kind === 'result' && signal.verdict.verdict).toBe('blocked');
  });

  it('appends apps the catalog does not know (custom servers) under their id', () => {
    const report = sampleReport({ apps: [appVerdict('custom-1', { verdict: 'works' }), appVerdict('whatsapp')] });
    const rows = buildRows(catalog, report, ['custom-1']);
    expect(ids(rows)).toEqual(['custom-1', 'whatsapp']);
    expect(rows[0]?.name).toBe('custom-1');
  });

  it('lists the catalog as not checked when a finished check judged no app (it failed early)', () => {
    const rows = buildRows(catalog, sampleReport({ status: 'failed', apps: [], overall: undefined, error: 'offscreen document crashed' }), []);
    expect(rows.map((row) => row.state.kind)).toEqual(['not-checked', 'not-checked', 'not-checked', 'not-checked']);
  });
});

describe('buildRows order and kinds', () => {
  it('puts pinned apps first in catalog order, then the rest by verdict (problems first)', () => {
    const report = sampleReport({
      apps: [
        appVerdict('whatsapp'),
        appVerdict('signal', { verdict: 'blocked', calls: 'blocked' }),
        appVerdict('teams', { verdict: 'degraded' }),
        appVerdict('zoom', { verdict: 'unknown' }),
      ],
    });
    expect(ids(buildRows(catalog, report, []))).toEqual(['signal', 'teams', 'zoom', 'whatsapp']);
    expect(ids(buildRows(catalog, report, ['zoom', 'whatsapp']))).toEqual(['whatsapp', 'zoom', 'signal', 'teams']);
  });

  it('keeps catalog order while a check runs, so rows do not jump', () => {
    const running = sampleReport({ status: 'running', overall: undefined, apps: [appVerdict('whatsapp'), appVerdict('zoom', { verdict: 'blocked' })] });
    expect(ids(buildRows(catalog, running, []))).toEqual(['whatsapp', 'signal', 'teams', 'zoom']);
  });

  it('marks rows judged only from general tests as guessed', () => {
    const report = sampleReport({ apps: [appVerdict('whatsapp', { reasons: ['MEDIA_INFERRED'] }), appVerdict('signal')] });
    const rows = buildRows(catalog, report, []);
    expect(rows.map((row) => [row.appId, row.guessed])).toEqual([
      ['whatsapp', true],
      ['signal', false],
    ]);
  });
});

describe('probeCounts', () => {
  const apps = [
    { signalling: [{ id: 'whatsapp.web' }], media: [{ id: 'whatsapp.stun' }] },
    { signalling: [{ id: 'signal.chat' }, { id: 'signal.sfu' }], media: [] },
  ];

  it('counts the apps\' own probes with a result, not the controls', () => {
    const { observations } = sampleReport();
    expect(probeCounts(apps, observations)).toEqual({ probesDone: 3, probesTotal: 4, controlsDone: true });
  });

  it('sees the controls phase still running when nothing of it or of the apps is in', () => {
    expect(probeCounts(apps, { http: [{ id: 'control.ok', outcome: 'reachable', ms: 10 }], ice: [], dns: [] })).toEqual({
      probesDone: 0,
      probesTotal: 4,
      controlsDone: false,
    });
  });
});
