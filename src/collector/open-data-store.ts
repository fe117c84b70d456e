// The reads behind the open data and the results page, on each database: day cells and one hour's reports.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { SharedReport } from '../core/shared-report';
import { addDays } from './store';
import type { DayCell, DayCellQuery, Store, StoredReport } from './store';

type OpenDataReads = Pick<Store, 'dayCells' | 'reportsReceivedIn' | 'networkReportCounts'>;

/**
 * Days of cells per read. A year of a large country is about a million cells: at 10 M reports one read took 7 s on
 * SQLite, holding the event loop (and with it ingestion) all that time, and ran past PostgreSQL's statement timeout
 * (503 for the export). A day of that country is ~3,000 cells, ~20 ms to read, so a read of a week stays short.
 */
const READ_DAYS = 7;

/** The cells of `query` read READ_DAYS at a time, in day order (each read is ordered by day, so they join in order). */
async function cellsByWeek(query: DayCellQuery, read: (fromDay: string, untilDay: string) => Promise<DayCell[]>): Promise<DayCell[]> {
  const rows: DayCell[] = [];
  for (let from = query.fromDay; from < query.untilDay; ) {
    const until = addDays(from, READ_DAYS) < query.untilDay ? addDays(from, READ_DAYS) : query.untilDay;
    for (const row of await read(from, until)) rows.push(row);
    from = until;
  }
  return rows;
}

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
    dayCells(query: DayCellQuery) {
      const read = query.cc === undefined ? allCells : countryCells;
      const cc: Record<string, string> = query.cc === undefined ? {} : { cc: query.cc };
      return cellsByWeek(query, async (fromDay, untilDay) => {
        // Other requests run between two reads: SQLite reads run on the event loop.
        if (fromDay !== query.fromDay) await new Promise((resolve) => setImmediate(resolve));
        return read.all({ fromDay, untilDay, min: query.minPerCell, ...cc });
      });
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
    dayCells(query: DayCellQuery) {
      const byCc = query.cc === undefined ? '' : 'AND cc = $4';
      return cellsByWeek(query, async (fromDay, untilDay) => {
        const read = await pool.query<DayCell>(
          `SELECT to_char(day, 'YYYY-MM-DD') AS day, cc, asn::int AS asn, app_id AS "appId", works, degraded, blocked, unknown FROM day_counts
           WHERE day >= $1::date AND day < $2::date ${byCc} AND cc <> 'ZZ' AND asn <> 0 AND works + degraded + blocked + unknown >= $3
           ORDER BY day, cc COLLATE "C", asn, app_id COLLATE "C"`,
          query.cc === undefined ? [fromDay, untilDay, query.minPerCell] : [fromDay, untilDay, query.minPerCell, query.cc],
        );
        return read.rows;
      });
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
