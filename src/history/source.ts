// Reads a run's ops back in index order, a page at a time (keyset pagination on the primary key),
// so memory stays constant however long the history; the same SQL works on PGlite and Postgres.

import type { Sql } from 'postgres';
import type { HistoryDb } from './db.js';
import type { Op } from '../core/op.js';
import { rowToOp, type RawOpRow } from './rows.js';

/** Yields the run's ops in index order, pageRows at a time (keyset pages on the primary key). */
export async function* readOpPages(db: HistoryDb, runId: number, pageRows = 50_000): AsyncGenerator<Op[]> {
  // Not COPY … TO STDOUT: twice as fast on a real Postgres, but a postgres.js COPY-out stream
  // now and then left its pooled connection hanging (the next query on it never returned).
  yield* keysetPages(db.sql, runId, pageRows);
}

async function* keysetPages(sql: Sql, runId: number, pageRows: number): AsyncGenerator<Op[]> {
  let after = -2_147_483_648;
  for (;;) {
    const rows = await sql<RawOpRow[]>`
      select index, time_ns, process, type, f, value::text as value, node, error, ext::text as ext
      from ops where run_id = ${runId} and index > ${after} order by index limit ${pageRows}`;
    if (rows.length === 0) return;
    const ops = rows.map(rowToOp);
    after = ops[ops.length - 1]!.index;
    yield ops;
    if (rows.length < pageRows) return;
  }
}

/** The whole history of a run in memory (what checkers need). */
export async function readHistory(db: HistoryDb, runId: number): Promise<Op[]> {
  const out: Op[] = [];
  for await (const page of readOpPages(db, runId)) for (const op of page) out.push(op);
  return out;
}
