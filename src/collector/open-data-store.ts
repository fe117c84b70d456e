// The reads behind the open data and the results page, on each database: day cells and one hour's reports.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { SharedReport } from '../core/shared-report';
import { addDays } from './store';
import type { DayCell, DayCellQuery, Store, StoredReport } from './store';

type OpenDataReads = Pick<Store, 'dayCells' | 'reportsReceivedIn' | 'networkReportCounts'>;

/**
 * Days of cells per read on SQLite, whose reads run on the event loop: a day of a large country is ~3,000 cells,
 * about 20 ms to read at 10 M reports, so a read holds other requests (and ingestion) for ~150 ms at most.
 */
const READ_DAYS = 7;

export function sqliteOpenData(db: Database.Database): OpenDataReads {
  const cells = (withCc: boolean) =>
    db.prepare<Record<string, string | number>, DayCell>(
      `SELECT day, cc, asn, app_id AS appId, works, degraded, blocked, unknown FROM day_counts
       WHERE day >= @fromDay AND day < @untilDay ${withCc ? 'AND cc = @cc' : ''} AND cc <> 'ZZ' AND asn <> 0
         AND works + degraded + blocked + unknown >= @min
       ORDER BY day, cc, asn, app_id`,
    );
  const allCells = cells(false);
  const countryCells = cells(true);
  const hourReports = db.prepare<[string], { cc: string; asn: number; body: string }>(
    'SELECT cc, asn, body FROM reports WHERE received_hour = ? ORDER BY id',
  );
  const perNetwork = db.prepare<[string, string], { cc: string; asn: number; reports: number }>(
    'SELECT cc, asn, count(*) AS reports FROM reports WHERE received_hour >= ? AND received_hour < ? GROUP BY cc, asn',
  );
  return {
    /**
     * READ_DAYS days per read (the rows are ordered by day, so the reads join in order), letting other requests run
     * between them: a year of a large country is about a million cells (7 s at 10 M reports), which in one read held
     * the event loop, and with it ingestion, for all that time.
     */
    async dayCells(query: DayCellQuery) {
      const read = query.cc === undefined ? allCells : countryCells;
      const rows: DayCell[] = [];
      for (let from = query.fromDay; from < query.untilDay; ) {
        const until = addDays(from, READ_DAYS) < query.untilDay ? addDays(from, READ_DAYS) : query.untilDay;
        if (from !== query.fromDay) await new Promise((resolve) => setImmediate(resolve));
        for (const row of read.all({ fromDay: from, untilDay: until, min: query.minPerCell, ...(query.cc === undefined ? {} : { cc: query.cc }) })) rows.push(row);
        from = until;
      }
      return rows;
    },
    reportsReceivedIn(hour: string) {
      return Promise.resolve(hourReports.all(hour).map((row): StoredReport => ({ cc: row.cc, asn: row.asn, body: JSON.parse(row.body) as SharedReport })));
    },
    networkReportCounts(day: string) {
      return Promise.resolve(perNetwork.all(`${day}T00:00:00Z`, `${addDays(day, 1)}T00:00:00Z`));
    },
  };
}

export function postgresOpenData(pool: pg.Pool): OpenDataReads {
  return {
    async dayCells(query: DayCellQuery) {
      const params: (string | number)[] = [query.fromDay, query.untilDay, query.minPerCell];
      const byCc = query.cc === undefined ? '' : `AND cc = $${params.push(query.cc)}`;
      const read = await pool.query<DayCell>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, cc, asn::int AS asn, app_id AS "appId", works, degraded, blocked, unknown FROM day_counts
         WHERE day >= $1::date AND day < $2::date ${byCc} AND cc <> 'ZZ' AND asn <> 0 AND works + degraded + blocked + unknown >= $3
         ORDER BY day, cc COLLATE "C", asn, app_id COLLATE "C"`,
        params,
      );
      return read.rows;
    },
    async reportsReceivedIn(hour: string) {
      const read = await pool.query<StoredReport>('SELECT cc, asn::int AS asn, body FROM reports WHERE received_hour = $1::timestamptz ORDER BY id', [hour]);
      return read.rows;
    },
    async networkReportCounts(day: string) {
      const read = await pool.query<{ cc: string; asn: number; reports: number }>(
        `SELECT cc, asn::int AS asn, count(*)::int AS reports FROM reports
         WHERE received_hour >= $1::timestamptz AND received_hour < $2::timestamptz GROUP BY cc, asn`,
        [`${day}T00:00:00Z`, `${addDays(day, 1)}T00:00:00Z`],
      );
      return read.rows;
    },
  };
}
