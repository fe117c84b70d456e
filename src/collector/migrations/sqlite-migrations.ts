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
  {
    version: 2,
    name: 'day counts maintained at insert, replacing per-app verdict rows',
    // One row per (receipt day, country, network, app) with a count per verdict, kept forever;
    // stats read only this table. Counted by receipt day: a day's cells never change once it is over.
    sql: `
      CREATE TABLE day_counts (
        day TEXT NOT NULL,
        cc TEXT NOT NULL,
        asn INTEGER NOT NULL,
        app_id TEXT NOT NULL,
        works INTEGER NOT NULL,
        degraded INTEGER NOT NULL,
        blocked INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        PRIMARY KEY (day, cc, asn, app_id)
      ) WITHOUT ROWID;
      CREATE INDEX day_counts_by_network ON day_counts (cc, asn, day);
      INSERT INTO day_counts (day, cc, asn, app_id, works, degraded, blocked, unknown)
        SELECT substr(r.received_hour, 1, 10), v.cc, v.asn, v.app_id,
          sum(v.verdict = 'works'), sum(v.verdict = 'degraded'), sum(v.verdict = 'blocked'), sum(v.verdict = 'unknown')
        FROM app_verdicts v JOIN reports r ON r.id = v.report_id
        WHERE v.cc <> 'ZZ' AND v.asn <> 0
        GROUP BY 1, 2, 3, 4;
      DROP TABLE app_verdicts;
      CREATE INDEX reports_by_received_hour ON reports (received_hour);
      CREATE TABLE readiness_probe (id INTEGER PRIMARY KEY, pad BLOB NOT NULL);
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
        min_per_cell INTEGER NOT NULL,
        day TEXT NOT NULL,
        cc TEXT NOT NULL,
        app_id TEXT NOT NULL,
        works INTEGER NOT NULL,
        degraded INTEGER NOT NULL,
        blocked INTEGER NOT NULL,
        unknown INTEGER NOT NULL,
        small_cells INTEGER NOT NULL,
        PRIMARY KEY (min_per_cell, day, cc, app_id)
      ) WITHOUT ROWID;
      CREATE TABLE rolled_up (min_per_cell INTEGER PRIMARY KEY, until_day TEXT NOT NULL);
    `,
  },
  {
    version: 4,
    name: 'the verdict engine the stored reports were judged with',
    // The collector judges stored reports again when its engine is newer than this (rejudge.ts).
    sql: `
      CREATE TABLE engine_state (id INTEGER PRIMARY KEY CHECK (id = 1), engine INTEGER NOT NULL);
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
];
