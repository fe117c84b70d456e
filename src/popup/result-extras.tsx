// What follows the app rows of a finished check: its connection figures, the call test and sharing the report; loaded after the answer shows.
import type { Report } from '../core/report';
import { CallTestSection } from './call-test-section';
import { ConnectionDetails } from './connection-details';
import { ReportActions } from './report-actions';

export function ResultExtras({ report, callTest, summary }: { report: Report; callTest: boolean; summary: () => string }) {
  return (
    <>
      <ConnectionDetails report={report} />
      {callTest && <CallTestSection />}
      <ReportActions report={report} summary={summary} />
    </>
  );
}
