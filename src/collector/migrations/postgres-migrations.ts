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
  {
    version: 2,
    name: 'day counts maintained at insert, replacing per-app verdict rows',
    // One row per (receipt day, country, network, app) with a count per verdict, kept forever;
    // stats read only this table. Counted by receipt day: a day's cells never change once it is over.
    sql: `
      CREATE TABLE day_counts (
        day date NOT NULL,
        cc text NOT NULL,
        asn bigint NOT NULL,
        app_id text NOT NULL,
        works integer NOT NULL,
        degraded integer NOT NULL,
        blocked integer NOT NULL,
        unknown integer NOT NULL,
        PRIMARY KEY (day, cc, asn, app_id)
      );
      CREATE INDEX day_counts_by_network ON day_counts (cc, asn, day);
      INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
        SELECT (r.received_hour AT TIME ZONE 'UTC')::date, v.cc, v.asn, v.app_id,
          count(*) FILTER (WHERE v.verdict = 'works'), count(*) FILTER (WHERE v.verdict = 'degraded'),
          count(*) FILTER (WHERE v.verdict = 'blocked'), count(*) FILTER (WHERE v.verdict = 'unknown')
        FROM app_verdicts v JOIN reports r ON r.id = v.report_id
        WHERE v.cc <> 'ZZ' AND v.asn <> 0
        GROUP BY 1, 2, 3, 4;
      DROP TABLE app_verdicts;
      CREATE INDEX reports_by_received_hour ON reports (received_hour);
    `,
  },
  {
    version: 3,
    name: 'per-day country totals of the published cells',
    // Once a day is over its cells are final, so the sums over networks of its cells of at least
    // min_per_cell reports are computed once (rolled_up says up to which day): a query without a
    // network reads these instead of every network's cells.
    sql: `
      CREATE TABLE day_totals (
        min_per_cell integer NOT NULL,
        day date NOT NULL,
        cc text NOT NULL,
        app_id text NOT NULL,
        works integer NOT NULL,
        degraded integer NOT NULL,
        blocked integer NOT NULL,
        unknown integer NOT NULL,
        small_cells integer NOT NULL,
        PRIMARY KEY (min_per_cell, day, cc, app_id)
      );
      CREATE TABLE rolled_up (min_per_cell integer PRIMARY KEY, until_day date NOT NULL);
    `,
  },
  {
    version: 4,
    name: 'the verdict engine the stored reports were judged with',
    // The collector judges stored reports again when its engine is newer than this (rejudge.ts).
    sql: `
      CREATE TABLE engine_state (id integer PRIMARY KEY CHECK (id = 1), engine integer NOT NULL);
    `,
  },
  {
    version: 5,
    name: "a country's day cells by day",
    // The country page and a country's export read one country's cells over a span of days. The primary key starts
    // with the day (every country's cells of a day) and the network index with the network (every day of each of the
    // country's networks): at 10 M reports either made that read scan and sort ten times the rows it returns
    // (README "Scale").
    sql: `
      CREATE INDEX day_counts_by_country ON day_counts (cc, day, asn, app_id);
    `,
  },
  {
    version: 6,
    name: 'report bodies as json text, lz4-compressed',
    // jsonb built each 7 KB body into its binary form and pglz compressed it: about 0.45 ms of the server's CPU per
    // report, more than the collector's whole event loop. json keeps the text as the collector wrote it (checked as JSON
    // still) and lz4 compresses it several times faster (README "Write path and performance"). Nothing queries inside
    // a body; readers get the same parsed object from pg. lz4 needs PostgreSQL 14 built with it: without it, pglz stays.
    // Rewrites the table once (minutes at millions of reports, during startup).
    sql: `
      ALTER TABLE reports ALTER COLUMN body TYPE json USING body::json;
      DO $$
      BEGIN
        IF current_setting('server_version_num')::int >= 140000 THEN
          EXECUTE 'ALTER TABLE reports ALTER COLUMN body SET COMPRESSION lz4';
        END IF;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $$;
    `,
  },
];
