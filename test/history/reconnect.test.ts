// The embedded database daemon dies mid-run (issue 11, item 2): the sink restarts it and stores
// everything it held; nothing is lost and the run's history is whole. Each test uses its own
// FAULTLINE_HOME, so killing its daemon touches no other test.

import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opToJsonl } from '../../src/history/jsonl.js';
import type { Op } from '../../src/core/op.js';
import { openDb } from '../../src/history/db.js';
import { pidAlive, statePath, type EmbeddedState } from '../../src/history/embedded.js';
import { createRun, getRun } from '../../src/history/runs.js';
import { openSink } from '../../src/history/sink.js';
import { readHistory } from '../../src/history/source.js';
import { cli, TEST_HOME, tempDir } from '../helpers/env.js';

const daemonOf = (home: string) => JSON.parse(readFileSync(statePath(home), 'utf8')) as EmbeddedState;

async function killDaemon(home: string): Promise<number> {
  const { pid } = daemonOf(home);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 500 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  return pid;
}

const op = (index: number): Op => ({ index, type: index % 2 === 0 ? 'invoke' : 'ok', process: index % 6 >> 1, f: 'write', value: { i: index }, timeNs: index * 1000 });

test('the daemon SIGKILLed mid-run: the sink restarts it and stores every op it held', async (t) => {
  t.timeout(150_000);
  const home = tempDir();
  const db = await openDb({ home, databaseUrl: null });
  try {
    const runId = await createRun(db.sql, { name: 'daemon-killed' });
    const sink = openSink(db, runId);
    let index = 0;
    for (; index < 2_000; index++) sink.append(op(index));
    await sink.flush();
    t.is(sink.stored, 2_000);

    const first = await killDaemon(home);
    // Ops keep arriving while the database is gone…
    for (; index < 6_000; index++) sink.append(op(index));
    await sink.close();
    t.is(sink.stored, 6_000, 'every op was stored');
    t.true(sink.reconnects >= 1);
    t.not(daemonOf(home).pid, first, 'a new daemon serves the database');

    // …and the rest of the run (results, finishing) goes on through the new connection.
    const history = await readHistory(db, runId);
    t.is(history.length, 6_000);
    t.deepEqual(history.map((o) => o.index), [...Array(6_000).keys()]);
    t.is((await getRun(db.sql, runId))?.ops, 6_000, 'op_count counts each op once');
  } finally {
    await db.close();
    try {
      process.kill(daemonOf(home).pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

test('history import --into adds a saved unstored-ops.jsonl back to its run, once, and refuses another run\'s ops', async (t) => {
  t.timeout(150_000);
  const db = await openDb({ home: TEST_HOME });
  try {
    const runId = await createRun(db.sql, { name: 'partly-stored' });
    const all = Array.from({ length: 1_000 }, (_, i) => op(i));
    const sink = openSink(db, runId);
    for (const o of all.slice(0, 400)) sink.append(o);
    await sink.close();
    // What the run loop saves when the database stayed away: the whole history, as JSON Lines.
    const file = join(tempDir(), 'unstored-ops.jsonl');
    writeFileSync(file, all.map(opToJsonl).join('\n') + '\n');

    const r = await cli(['history', 'import', file, '--into', String(runId), '--json']);
    t.is(r.exitCode, 0, String(r.stderr));
    t.like(JSON.parse(String(r.stdout)), { runId, ops: 600, alreadyStored: 400 });
    t.deepEqual(await readHistory(db, runId), all);
    t.is((await getRun(db.sql, runId))?.ops, 1_000);

    const again = await cli(['history', 'import', file, '--into', String(runId), '--json']);
    t.like(JSON.parse(String(again.stdout)), { ops: 0, alreadyStored: 1_000 }, 'a second import adds nothing');

    const other = join(tempDir(), 'other.jsonl');
    writeFileSync(other, all.map((o) => opToJsonl({ ...o, value: 'else' })).join('\n') + '\n');
    const bad = await cli(['history', 'import', other, '--into', String(runId)]);
    t.is(bad.exitCode, 254);
    t.regex(String(bad.stderr), /op 0 differs from the one run \d+ already has/);
    t.is(String(bad.stderr).trim().split('\n').length, 1);
    t.is((await getRun(db.sql, runId))?.ops, 1_000, 'nothing of it was stored');
  } finally {
    await db.close();
  }
});
