// What an exported report is called and contains: pretty JSON under a name with the check's time.

/** "can-i-call-2026-03-01T14-05-09Z.json": sortable, and free of characters some file systems refuse. */
export function reportFileName(startedAt: string): string {
  const stamp = startedAt.replace(/\.\d+(?=Z$)/, '').replace(/:/g, '-');
  return `can-i-call-${stamp}.json`;
}

export function reportJson(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
