// Reads a run's ops back in index order, a page at a time (keyset pagination on the primary key),
// so memory stays constant however long the history; the same SQL works on PGlite and Postgres.

import type { Sql } from 'postgres';
import { copyRows } from './copyparse.js';
import type { Db } from './db.js';
import type { Op } from './op.js';
import { rowToOp, type RawOpRow } from './rows.js';

/**
 * Yields the run's ops in index order, pageRows at a time. On a real Postgres one streaming
 * COPY … TO STDOUT (about twice as fast as paging); on PGlite, keyset pages.
 */
export async function* readOpPages(db: Db, runId: number, pageRows = 50_000): AsyncGenerator<Op[]> {
  if (db.kind === 'postgres') yield* copyPages(db.sql, runId, pageRows);
  else yield* keysetPages(db.sql, runId, pageRows);
}

async function* copyPages(sql: Sql, runId: number, pageRows: number): AsyncGenerator<Op[]> {
  // COPY takes no bind parameters; the id is an integer checked here, so inlining it is safe.
  if (!Number.isSafeInteger(runId)) throw new Error(`run id ${runId} is not an integer`);
  const stream = await sql
    .unsafe(`copy (select index, time_ns, process, type, f, value, node, error, ext
             from ops where run_id = ${runId} order by index) to stdout`)
    .readable();
  try {
    for await (const rows of copyRows(stream as AsyncIterable<Buffer>, pageRows)) {
      yield rows.map((r) =>
        rowToOp({
          index: Number(r[0]),
          time_ns: r[1]!,
          process: Number(r[2]),
          type: r[3] as Op['type'],
          f: r[4]!,
          value: r[5] ?? null,
          node: r[6] ?? null,
          error: r[7] ?? null,
          ext: r[8] ?? null,
        }),
      );
    }
  } finally {
    stream.destroy();
  }
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
export async function readHistory(db: Db, runId: number): Promise<Op[]> {
  const out: Op[] = [];
  for await (const page of readOpPages(db, runId)) for (const op of page) out.push(op);
  return out;
}
