// The open data's schema page (/data): what each file holds, its URL and its licence. Static HTML, no script.
export interface DataPageOptions {
  minPerCell: number;
  licence: string;
  licenceUrl: string;
  maxDays: number;
}

/** The page's only stylesheet: its hash is the whole of the page's style-src. */
export const DATA_PAGE_STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}code{background:#f1f1f1;padding:0 .2em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}';

export function dataSchemaPage(o: DataPageOptions): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Can I Call? open data</title>
<style>${DATA_PAGE_STYLE}</style>
</head><body>
<main>
<h1>Can I Call? open data</h1>
<p>Everything below is published under <a href="${o.licenceUrl}" rel="license">${o.licence}</a>: use it freely and
credit “Can I Call? contributors”. Figures are by UTC day of receipt, and only for days that are over.
Reports are judged with the collector's current verdict engine, so a fixed rule can change a past day's figures.</p>

<h2>Daily aggregates</h2>
<p><code>GET /v1/aggregates?from=YYYY-MM-DD&amp;to=YYYY-MM-DD&amp;cc=XX&amp;format=csv|jsonl</code>
(every parameter optional; by default the last 7 days published, all countries, JSON Lines; at most ${o.maxDays} days per request).
One row per day cell: one app on one network (country and ASN) on one day. A cell is published only if it holds at least
${o.minPerCell} reports; smaller cells are left out, as in <code>/v1/stats</code>.</p>
<table><thead><tr><th>Column</th><th>Meaning</th></tr></thead><tbody>
<tr><td><code>day</code></td><td>UTC day the reports were received, YYYY-MM-DD</td></tr>
<tr><td><code>cc</code></td><td>Country of the sender's network (ISO 3166-1 alpha-2)</td></tr>
<tr><td><code>asn</code></td><td>Autonomous system number of the sender's network</td></tr>
<tr><td><code>app</code></td><td>Catalog app id (<code>whatsapp</code>, <code>signal</code>, ...)</td></tr>
<tr><td><code>total</code></td><td>Reports in the cell (at least ${o.minPerCell})</td></tr>
<tr><td><code>works</code>, <code>degraded</code>, <code>blocked</code>, <code>unknown</code></td><td>How many of them judged the app's calls so</td></tr>
</tbody></table>

<h2>Reports, one file per day</h2>
<p><code>GET /v1/reports/YYYY-MM-DD.jsonl</code>: every report received that day, one JSON object a line:
<code>{"day", "cc", "asn", "report"}</code>. <code>report</code> is the shared report as the extension sent it
(schema: <code>src/core/shared-report.ts</code>, described in the collector's README), less its upload id; its verdicts are
the collector's engine's. No address, no candidate and no identifier is in it; its time is the hour the check started.
<code>cc</code> is <code>null</code> when the country sent fewer than ${o.minPerCell} reports that day, and <code>asn</code>
is <code>null</code> when the network did (the same minimum as every other view).</p>
</main>
</body></html>
`;
}
