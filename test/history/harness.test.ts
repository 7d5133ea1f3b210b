// Runs whose harness died (issue 11, item 9): a SIGKILLed run must not stay `running` for ever.
// The next command that opens the database marks it crashed — only when its harness is provably
// dead on this host; never another host's run, never a live harness's.

import test from 'ava';
import { execa } from 'execa';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/history/db.js';
import { claimRun, harnessDead, processStart, thisHarness } from '../../src/history/harness.js';
import { createRun, getRun } from '../../src/history/runs.js';
import { cli, ROOT, TEST_HOME } from '../helpers/env.js';

/** The pid of a process that has just exited (so, for a moment at least, no process has it). */
async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ['-e', '0']);
  await child;
  return child.pid!;
}

test('harnessDead: this process and other hosts are alive; an exited pid or a reused pid is dead', async (t) => {
  t.false(harnessDead(thisHarness()));
  t.false(harnessDead({ host: `not-${hostname()}`, pid: await deadPid() }), 'another host: we cannot tell, so never dead');
  t.true(harnessDead({ host: hostname(), pid: await deadPid() }));
  const start = processStart(process.pid);
  if (start !== undefined) t.true(harnessDead({ host: hostname(), pid: process.pid, start: start + 1 }), 'same pid, other start: reused');
  t.false(harnessDead(null));
});

test('a run whose harness was SIGKILLed is marked crashed by the next open; live and foreign runs are left running', async (t) => {
  const db = await openDb({ home: TEST_HOME });
  try {
    const killed = await createRun(db.sql, { name: 'harness-killed' });
    const foreign = await createRun(db.sql, { name: 'harness-foreign' });
    const live = await createRun(db.sql, { name: 'harness-live' });
    await claimRun(db.sql, foreign, { host: `not-${hostname()}`, pid: await deadPid() });
    await claimRun(db.sql, live, thisHarness());

    // The sink writer claims the run as its harness when its sink opens; then it is SIGKILLed.
    const child = execa(process.execPath, [join(ROOT, 'dist/test/fixtures/sink-writer.js'), String(killed)], { reject: false, env: { FAULTLINE_HOME: TEST_HOME } });
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => /stored \d+/.test(chunk.toString()) && resolve());
      void child.then(() => resolve());
    });
    child.kill('SIGKILL');
    t.is((await child).signal, 'SIGKILL');
    t.is((await getRun(db.sql, killed))?.status, 'running', 'nothing has noticed yet');

    const again = await openDb({ home: TEST_HOME });
    try {
      t.true(again.reaped?.some((r) => r.id === killed), 'the open reports the run it marked');
    } finally {
      await again.close();
    }
    const row = await getRun(db.sql, killed);
    t.is(row?.status, 'crashed');
    t.is(row?.valid, null, 'a crashed run carries no verdict');
    t.truthy(row?.finishedAt);
    t.true((row?.ops ?? 0) > 0, 'its stored history stays');
    t.is((await getRun(db.sql, foreign))?.status, 'running', "another host's run is never touched");
    t.is((await getRun(db.sql, live))?.status, 'running', "a live harness's run is left alone");
  } finally {
    await db.close();
  }
});

test('analyze never stores a verdict beside `running`: exit 2 and the run keeps no verdict', async (t) => {
  const db = await openDb({ home: TEST_HOME });
  try {
    const id = await createRun(db.sql, { name: 'still-running', spec: { workload: 'register' } });
    await claimRun(db.sql, id, thisHarness()); // this test process: a live harness
    const r = await cli(['analyze', String(id)]);
    t.is(r.exitCode, 2, String(r.stderr));
    t.regex(String(r.stderr), new RegExp(`run ${id} \\(still-running\\) is still running`));
    const row = await getRun(db.sql, id);
    t.is(row?.status, 'running');
    t.is(row?.valid, null);
  } finally {
    await db.close();
  }
});
