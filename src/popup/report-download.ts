// Hands a report to the user: a JSON file through a Blob link, or the clipboard.
import type { Report } from '../core/report';
import { reportFileName, reportJson } from './report-file';

export function downloadReport(report: Report): void {
  const url = URL.createObjectURL(new Blob([reportJson(report)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = reportFileName(report.startedAt);
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later, not at once: some browsers start reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function copyReport(report: Report): Promise<void> {
  await navigator.clipboard.writeText(reportJson(report));
}
