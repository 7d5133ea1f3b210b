// The relay in src/history/pgserver.ts under back-pressure: replies far larger than a socket
// buffer, and many clients at once. PGlite hands its output over as views into its WASM heap and
// reuses that memory for the next chunk; a relay that queued those views unflushed sent
// corrupted or truncated replies (issue 11, item 1). Every byte must arrive as PGlite wrote it.

import test from 'ava';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createHash } from 'node:crypto';
import { PgliteServer } from '../../src/history/pgserver.js';

/** A deterministic, incompressible-looking text of `bytes` characters (hex of chained hashes). */
function bigText(bytes: number, seed: string): string {
  const parts: string[] = [];
  let h = seed;
  let n = 0;
  while (n < bytes) {
    h = createHash('sha256').update(h).digest('hex');
    parts.push(h);
    n += h.length;
  }
  return parts.join('').slice(0, bytes);
}

test('large replies and many concurrent clients come through the relay byte for byte', async (t) => {
  t.timeout(90_000);
  const db = await PGlite.create();
  const server = new PgliteServer(db);
  const port = await server.start();
  const sql = postgres({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 8, onnotice: () => {} });
  try {
    await sql`create table blobs (id int primary key, v text not null)`;
    const values = [0, 1].map((i) => bigText(4 * 1024 * 1024, `v${i}`));
    for (let i = 0; i < values.length; i++) await sql`insert into blobs values (${i}, ${values[i]!})`;
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    const want = values.map(digest);

    // 4 MB rows, both in one reply, read by 6 connections at once.
    const reads = await Promise.all(Array.from({ length: 6 }, () => sql<{ id: number; v: string }[]>`select id, v from blobs order by id`));
    for (const rows of reads) {
      t.is(rows.length, 2, 'every row of the reply arrives');
      t.deepEqual(rows.map((r) => digest(r.v)), want);
    }

    // Many small concurrent requests, interleaved with big ones: every one is answered right.
    const small = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 25 === 0 ? sql<{ n: number }[]>`select length(v)::int as n from blobs where id = ${i % 2}` : sql<{ n: number }[]>`select ${i}::int as n`,
      ),
    );
    small.forEach((rows, i) => t.is(rows[0]!.n, i % 25 === 0 ? 4 * 1024 * 1024 : i));
  } finally {
    await sql.end({ timeout: 5 });
    await server.stop();
    await db.close();
  }
});
