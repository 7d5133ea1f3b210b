import test from 'ava';
import { execa } from 'execa';
import { openDb } from '../../src/history/db.js';
import { createRun } from '../../src/history/runs.js';
import { readHistory } from '../../src/history/source.js';
import { ROOT, TEST_HOME } from '../helpers/env.js';
import { join } from 'node:path';

test('a writer killed with SIGKILL mid-stream leaves every flushed op stored, in order, with no gap', async (t) => {
  const db = await openDb({ home: TEST_HOME });
  try {
    const runId = await createRun(db.sql, { name: 'sigkill' });
    const child = execa(process.execPath, [join(ROOT, 'dist/test/fixtures/sink-writer.js'), String(runId)], { reject: false, env: { FAULTLINE_HOME: TEST_HOME } });
    let lastStored = 0;
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString().matchAll(/stored (\d+)/g)) lastStored = Number(m[1]);
        if (lastStored >= 3_000) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGKILL');
    const result = await child;
    t.is(result.signal, 'SIGKILL');
    const ops = await readHistory(db, runId);
    t.true(ops.length >= lastStored, `stored ${ops.length} ≥ acknowledged ${lastStored}`);
    t.deepEqual(ops.map((o) => o.index), [...Array(ops.length).keys()], 'a gap-free prefix, in order');
  } finally {
    await db.close();
  }
});
