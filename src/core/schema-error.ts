// Words for data that failed its schema: "invalid <what> at <path>: <message>", from valibot's first issue.
import type * as v from 'valibot';

type Issues = readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]];

interface ErrorBounds {
  keyChars: number;
  pathChars: number;
  totalChars: number;
}

/** Caps for data from a stranger (a shared report, a query string), whose keys and values end up in the text. */
export const UNTRUSTED: ErrorBounds = { keyChars: 40, pathChars: 120, totalChars: 300 };

/** Where the first issue is, as dotted keys ("apps.0.reasons"); empty at the top level. */
export function issuePath(issues: Issues, bounds?: ErrorBounds): string {
  const path = (issues[0].path ?? []).map((item) => String(item.key).slice(0, bounds?.keyChars)).join('.');
  return path.slice(0, bounds?.pathChars);
}

export function schemaError(what: string, issues: Issues, bounds?: ErrorBounds): string {
  const path = issuePath(issues, bounds);
  const text = `invalid ${what}${path ? ` at ${path}` : ''}: ${issues[0].message}`;
  return bounds === undefined || text.length <= bounds.totalChars ? text : `${text.slice(0, bounds.totalChars)}…`;
}
