// PostgreSQL schema, as versioned migrations.
import type { Migration } from './migration';

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'reports and per-app verdicts',
    // asn is bigint: 32-bit ASNs go up to 4294967295, beyond integer.
    sql: `
      CREATE TABLE reports (
        id uuid PRIMARY KEY,
        hour timestamptz NOT NULL,
        received_hour timestamptz NOT NULL,
        cc text NOT NULL CHECK (length(cc) = 2),
        asn bigint NOT NULL CHECK (asn >= 0),
        body jsonb NOT NULL
      );
      CREATE TABLE app_verdicts (
        report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        app_id text NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('works', 'degraded', 'blocked', 'unknown')),
        hour timestamptz NOT NULL,
        cc text NOT NULL,
        asn bigint NOT NULL,
        PRIMARY KEY (report_id, app_id)
      );
      CREATE INDEX app_verdicts_by_network ON app_verdicts (cc, asn, hour);
      CREATE INDEX app_verdicts_by_hour ON app_verdicts (hour);
    `,
  },
];
