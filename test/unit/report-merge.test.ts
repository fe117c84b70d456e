// Updates by port and by polling arrive out of order; the popup must never roll back to an older copy, nor take a running check for the last result.
import { describe, expect, it } from 'vitest';
import { newerReport, newestFinished } from '../../src/ui/report-merge';
import { appVerdict, sampleReport } from './fixtures/sample-report';

const running = (apps: number) =>
  sampleReport({
    status: 'running',
    finishedAt: undefined,
    overall: undefined,
    apps: ['whatsapp', 'signal', 'teams'].slice(0, apps).map((id) => appVerdict(id)),
  });

describe('newerReport', () => {
  it('takes anything over nothing', () => {
    const report = running(0);
    expect(newerReport(null, report)).toBe(report);
  });

  it('keeps the copy with more results of the same running check', () => {
    const two = running(2);
    expect(newerReport(two, running(1))).toBe(two);
    const three = running(3);
    expect(newerReport(two, three)).toBe(three);
  });

  it('prefers the finished copy of the same check over a running one, whichever arrives last', () => {
    const done = sampleReport();
    expect(newerReport(running(3), done)).toBe(done);
    expect(newerReport(done, running(3))).toBe(done);
  });

  it('moves to a check that started later and ignores one that started earlier', () => {
    const old = sampleReport();
    const next = running(0);
    const later = { ...next, id: '0e8d1c2b-4a5f-4b6c-8d7e-9f0a1b2c3d4e', startedAt: '2026-03-01T15:00:00.000Z' };
    expect(newerReport(old, later)).toBe(later);
    expect(newerReport(later, old)).toBe(later);
  });
});

const older = sampleReport();
const newer = sampleReport({ id: '0e8d1c2b-4a5f-4b6c-8d7e-9f0a1b2c3d4e', startedAt: '2026-03-01T15:00:00.000Z', finishedAt: '2026-03-01T15:00:03.000Z' });
const runningLater = sampleReport({ id: '1f9e2d3c-5b6a-4c7d-8e9f-0a1b2c3d4e5f', status: 'running', startedAt: '2026-03-01T16:00:00.000Z', finishedAt: undefined, overall: undefined });

describe('newestFinished', () => {
  it('picks the check that started last, in whatever order the reports come', () => {
    expect(newestFinished([older, newer])).toEqual(newer);
    expect(newestFinished([newer, older])).toEqual(newer);
  });

  it('passes over a running check, however new, and anything that is not a report', () => {
    expect(newestFinished([runningLater, older, { id: 'not a report' }, null])).toEqual(older);
    expect(newestFinished([runningLater])).toBeNull();
    expect(newestFinished([])).toBeNull();
  });
});
