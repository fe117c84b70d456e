// Judging stored reports again, on each database: keyset chunks, new bodies and moved day counts in one transaction per chunk.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { parseSharedReport } from '../core/shared-report';
import type { SharedReport } from '../core/shared-report';
import { rejudgeDeltas } from './store';
import type { Rejudge, RejudgeResult, Store } from './store';

const CHUNK = 500;

interface StoredRow {
  id: string;
  receivedHour: string;
  cc: string;
  asn: number;
  body: string | SharedReport;
}

interface Changed {
  id: string;
  before: SharedReport;
  after: SharedReport;
  cc: string;
  asn: number;
  receivedHour: string;
}

/**
 * The reports of a chunk that `again` changes. A body that no longer parses is left as stored, verdicts and day
 * counts alike: one holding a code the schema has since dropped (APP_RETIRED, never emitted, so only a hand-made
 * report could carry it).
 */
function changedIn(rows: readonly StoredRow[], again: Rejudge): Changed[] {
  return rows.flatMap((row) => {
    const parsed = parseSharedReport(typeof row.body === 'string' ? JSON.parse(row.body) : row.body);
    if (!parsed.ok) return [];
    const after = again(parsed.report);
    return after === undefined ? [] : [{ id: row.id, before: parsed.report, after, cc: row.cc, asn: row.asn, receivedHour: row.receivedHour }];
  });
}

function tally(result: RejudgeResult, rows: number, changed: readonly Changed[]): void {
  result.scanned += rows;
  result.rejudged += changed.length;
  for (const { before, after } of changed) {
    const was = new Map(before.apps.map((a) => [a.appId, a.verdict]));
    result.changedVerdicts += after.apps.filter((a) => was.has(a.appId) && was.get(a.appId) !== a.verdict).length;
  }
}

export function sqliteRejudger(db: Database.Database): Pick<Store, 'rejudgeAll' | 'judgedEngine'> {
  const readChunk = db.prepare<[string, number], StoredRow>(
    'SELECT id, received_hour AS receivedHour, cc, asn, body FROM reports WHERE id > ? ORDER BY id LIMIT ?',
  );
  const updateBody = db.prepare('UPDATE reports SET body = ? WHERE id = ?');
  const moveCell = db.prepare(
    `UPDATE day_counts SET works = works + ?, degraded = degraded + ?, blocked = blocked + ?, unknown = unknown + ?
     WHERE day = ? AND cc = ? AND asn = ? AND app_id = ?`,
  );
  // A finished day's country totals were summed from the old counts: drop them from that day on, to be summed again.
  const dropTotals = db.prepare('DELETE FROM day_totals WHERE day >= ?');
  const rewindRollUp = db.prepare('UPDATE rolled_up SET until_day = min(until_day, ?)');
  const readEngine = db.prepare<[], { engine: number }>('SELECT engine FROM engine_state WHERE id = 1');
  const writeEngine = db.prepare(
    'INSERT INTO engine_state (id, engine) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET engine = excluded.engine',
  );
  const chunk = db.transaction((after: string, again: Rejudge) => {
    const rows = readChunk.all(after, CHUNK);
    const changed = changedIn(rows, again);
    for (const c of changed) updateBody.run(JSON.stringify(c.after), c.id);
    const deltas = rejudgeDeltas(changed);
    for (const d of deltas) moveCell.run(d.works, d.degraded, d.blocked, d.unknown, d.day, d.cc, d.asn, d.appId);
    const firstDay = deltas.map((d) => d.day).sort()[0];
    if (firstDay !== undefined) {
      dropTotals.run(firstDay);
      rewindRollUp.run(firstDay);
    }
    return { rows, changed };
  });
  return {
    async rejudgeAll(engine, again) {
      const result: RejudgeResult = { scanned: 0, rejudged: 0, changedVerdicts: 0 };
      let last = '';
      for (;;) {
        const { rows, changed } = chunk.immediate(last, again);
        tally(result, rows.length, changed);
        const next = rows.at(-1);
        if (next === undefined) break;
        last = next.id;
        // Requests are served between chunks: a first pass over a large file takes a while.
        await new Promise((resolve) => setImmediate(resolve));
      }
      writeEngine.run(engine);
      return result;
    },
    judgedEngine: () => Promise.resolve(readEngine.get()?.engine ?? 0),
  };
}

type InTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** Any constant: one instance judges at a time; another starting meanwhile waits, then finds nothing left to change. */
const REJUDGE_LOCK = 7_245_002;

export function postgresRejudger(pool: pg.Pool, inTransaction: InTransaction): Pick<Store, 'rejudgeAll' | 'judgedEngine'> {
  return {
    async rejudgeAll(engine, again) {
      const result: RejudgeResult = { scanned: 0, rejudged: 0, changedVerdicts: 0 };
      let last = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const rows = await inTransaction(async (client) => {
          await client.query('SELECT pg_advisory_xact_lock($1)', [REJUDGE_LOCK]);
          // FOR UPDATE: a row cannot be judged twice at once, nor deleted by retention under our feet.
          const read = await client.query<StoredRow>(
            `SELECT id::text AS id, to_char(received_hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":00:00Z"') AS "receivedHour",
               cc, asn::int AS asn, body
             FROM reports WHERE id > $1::uuid ORDER BY id LIMIT $2 FOR UPDATE`,
            [last, CHUNK],
          );
          const changed = changedIn(read.rows, again);
          if (changed.length > 0) {
            await client.query('UPDATE reports r SET body = u.body FROM unnest($1::uuid[], $2::json[]) AS u (id, body) WHERE r.id = u.id', [
              changed.map((c) => c.id),
              changed.map((c) => JSON.stringify(c.after)),
            ]);
          }
          const deltas = rejudgeDeltas(changed);
          // Sorted by key (rejudgeDeltas), like the write path, so cells are locked in one order.
          for (const d of deltas) {
            await client.query(
              `UPDATE day_counts SET works = works + $1, degraded = degraded + $2, blocked = blocked + $3, unknown = unknown + $4
               WHERE day = $5::date AND cc = $6 AND asn = $7 AND app_id = $8`,
              [d.works, d.degraded, d.blocked, d.unknown, d.day, d.cc, d.asn, d.appId],
            );
          }
          const firstDay = deltas.map((d) => d.day).sort()[0];
          if (firstDay !== undefined) {
            await client.query('DELETE FROM day_totals WHERE day >= $1::date', [firstDay]);
            await client.query('UPDATE rolled_up SET until_day = least(until_day, $1::date)', [firstDay]);
          }
          tally(result, read.rows.length, changed);
          return read.rows;
        });
        const next = rows.at(-1);
        if (next === undefined) break;
        last = next.id;
      }
      await pool.query(
        'INSERT INTO engine_state (id, engine) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET engine = greatest(engine_state.engine, excluded.engine)',
        [engine],
      );
      return result;
    },
    async judgedEngine() {
      const read = await pool.query<{ engine: number }>('SELECT engine FROM engine_state WHERE id = 1');
      return read.rows[0]?.engine ?? 0;
    },
  };
}
