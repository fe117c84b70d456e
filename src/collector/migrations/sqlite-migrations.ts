// SQLite schema, as versioned migrations.
import type { Migration } from './migration';

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'reports and per-app verdicts',
    // WITHOUT ROWID: rows are ordered by the random report id, so the table keeps no arrival order
    // that could be matched against someone's record of when a client connected.
    sql: `
      CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        hour TEXT NOT NULL,
        received_hour TEXT NOT NULL,
        cc TEXT NOT NULL CHECK (length(cc) = 2),
        asn INTEGER NOT NULL CHECK (asn >= 0),
        body TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE app_verdicts (
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        app_id TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('works', 'degraded', 'blocked', 'unknown')),
        hour TEXT NOT NULL,
        cc TEXT NOT NULL,
        asn INTEGER NOT NULL,
        PRIMARY KEY (report_id, app_id)
      ) WITHOUT ROWID;
      CREATE INDEX app_verdicts_by_network ON app_verdicts (cc, asn, hour);
      CREATE INDEX app_verdicts_by_hour ON app_verdicts (hour);
    `,
  },
];
