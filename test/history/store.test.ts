// The history store against whichever database the environment names: the embedded PGlite
// daemon by default, a real Postgres when DATABASE_URL is set (CI runs this file both ways).

import test from 'ava';
import { openDb, type HistoryDb } from '../../src/history/db.js';
import type { Op } from '../../src/core/op.js';
import { createRun, finishRun, getRun, listRuns, readResults, resolveRun, saveNodeLog, readNodeLogs, saveResult } from '../../src/history/runs.js';
import { HistorySink, openSink } from '../../src/history/sink.js';
import { readHistory, readOpPages } from '../../src/history/source.js';
import { TEST_HOME } from '../helpers/env.js';

let db: HistoryDb;
test.before(async () => {
  db = await openDb({ home: TEST_HOME });
});
test.after.always(async () => {
  await db?.close();
});

function makeOps(n: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; ops.length < n; i++) {
    const p = i % 7;
    ops.push({ index: ops.length, type: 'invoke', process: p, f: 'write', value: { k: i, v: [i, null, 'x'] }, timeNs: ops.length * 1000 });
    if (ops.length < n) ops.push({ index: ops.length, type: i % 5 === 0 ? 'info' : 'ok', process: p, f: 'write', value: { k: i, v: [i, null, 'x'] }, timeNs: ops.length * 1000, node: `n${p}`, ...(i % 5 === 0 ? { error: 'timeout' } : {}) });
  }
  return ops;
}

test(`sink → source round trip keeps every op in order (${process.env.DATABASE_URL ? 'Postgres' : 'PGlite'})`, async (t) => {
  const runId = await createRun(db.sql, { name: 'round-trip', spec: { workload: 'test' }, seed: 42 });
  const ops = makeOps(25_003);
  ops.push({ index: 25_003, type: 'invoke', process: 'nemesis', f: 'partition', value: { grudge: { n1: ['n2'] } }, timeNs: 1 << 30, ext: { note: ':x' } });
  ops.push({ index: 25_004, type: 'info', process: 'nemesis', f: 'partition', value: null, timeNs: 2 ** 40 });
  const sink = openSink(db, runId, { batchRows: 7_000 });
  for (const op of ops) sink.append(op);
  await sink.close();
  t.is(sink.stored, ops.length);
  const back = await readHistory(db, runId);
  t.deepEqual(back, ops);
  const run = await getRun(db.sql, runId);
  t.is(run?.ops, ops.length, 'op_count follows the inserts');
  t.is(run?.seed, '42');
});

for (const method of ['insert', 'copy'] as const) {
  test(`${method}: strings with tabs, newlines, backslashes and quotes survive`, async (t) => {
    if (method === 'copy' && db.kind !== 'postgres') return t.pass('COPY is used on a real Postgres only');
    const runId = await createRun(db.sql, { name: `escapes-${method}` });
    const nasty = 'a\tb\nc\r\\d "e" \\N \u00e9\u{1F600}';
    const ops: Op[] = [
      { index: 0, type: 'invoke', process: 0, f: 'write', value: { s: nasty, n: null }, timeNs: 0, node: nasty },
      { index: 1, type: 'fail', process: 0, f: 'write', value: nasty, timeNs: 1, error: nasty, ext: { k: nasty } },
      { index: 2, type: 'invoke', process: 1, f: 'read', value: '\\N', timeNs: 2 },
    ];
    const sink = new HistorySink(db.sql, runId, { method });
    for (const op of ops) sink.append(op);
    await sink.close();
    t.deepEqual(await readHistory(db, runId), ops);
  });
}

test('source pages through a run in index order with a small page size', async (t) => {
  const runId = await createRun(db.sql, { name: 'pages' });
  const ops = makeOps(1_001);
  const sink = new HistorySink(db.sql, runId);
  for (const op of ops) sink.append(op);
  await sink.close();
  const sizes: number[] = [];
  const seen: number[] = [];
  for await (const page of readOpPages(db, runId, 100)) {
    sizes.push(page.length);
    for (const op of page) seen.push(op.index);
  }
  t.deepEqual(seen, ops.map((o) => o.index));
  t.true(sizes.every((s) => s <= 100));
  t.is(sizes.length, 11);
});

test('the sink flushes on its own within ~100 ms, without close()', async (t) => {
  const runId = await createRun(db.sql, { name: 'timer-flush' });
  const sink = new HistorySink(db.sql, runId);
  const ops = makeOps(10);
  for (const op of ops) sink.append(op);
  const deadline = Date.now() + 5_000;
  let count = 0;
  while (Date.now() < deadline) {
    const rows = await db.sql<{ count: number }[]>`select count(*)::int as count from ops where run_id = ${runId}`;
    count = rows[0]!.count;
    if (count === ops.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is(count, ops.length);
  await sink.close();
});

test('a sink whose writes keep failing reports the unstored ops instead of dropping them', async (t) => {
  // Run 0 does not exist, so every insert violates the foreign key.
  const sink = new HistorySink(db.sql, 0, { maxRetries: 1 });
  for (const op of makeOps(3)) sink.append(op);
  const err = await t.throwsAsync(sink.close());
  t.regex(err!.message, /3 ops of run 0 could not be stored/);
  t.is((err as unknown as { unstored: Op[] }).unstored.length, 3);
});

test('runs, results and node logs', async (t) => {
  const a = await createRun(db.sql, { name: 'runs-a' });
  const b = await createRun(db.sql, { name: 'runs-b', spec: { nodes: 3 } });
  await finishRun(db.sql, b, 'finished', false);
  const listed = await listRuns(db.sql, 1000);
  t.true(listed.findIndex((r) => r.id === b) < listed.findIndex((r) => r.id === a), 'newest first');
  t.is((await resolveRun(db.sql, String(b), 'db')).valid, false);
  t.is((await resolveRun(db.sql, 'runs-a', 'db')).id, a);
  t.true((await resolveRun(db.sql, 'latest', 'db')).id >= b);
  await t.throwsAsync(resolveRun(db.sql, '999999999', 'db'), { message: /no run "999999999" in db/ });
  await saveResult(db.sql, b, 'linearizable', false, { op: 12 });
  await saveResult(db.sql, b, 'linearizable', 'unknown', { budget: true });
  t.deepEqual(await readResults(db.sql, b), [{ checker: 'linearizable', valid: 'unknown', detail: { budget: true } }]);
  await saveNodeLog(db.sql, b, 'n1', 'became leader\n');
  t.deepEqual((await readNodeLogs(db.sql, b)).map((r) => ({ ...r })), [{ node: 'n1', text: 'became leader\n' }]);
});
