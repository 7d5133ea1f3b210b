// A seeded schedule of every fault, run for real against a local 3-node cluster through the
// composed nemesis: every op completes as info (process nemesis) with what it did, and after the
// final heal the cluster converges and accepts writes. (The docker variant is in docker.test.ts.)

import test from 'ava';
import type { Fault } from '../../nemeses/schedule.js';
import { hostFaketimeLib } from '../../src/runtime/common.js';
import { LocalRuntime } from '../../src/runtime/local.js';
import { progress } from '../../src/runtime/types.js';
import { newSpec, removeDir, runScheduleScenario, useTempHome } from '../runtime/helpers.js';

useTempHome();

test('a seeded schedule of all faults runs on the local runtime, records what it did, and heals', async (t) => {
  const rt = new LocalRuntime();
  const spec = newSpec(3);
  const nodes = await rt.up(spec, progress(60_000));
  try {
    const faults: Fault[] = ['partition', 'kill', 'pause', 'loss', 'delay'];
    if (hostFaketimeLib()) faults.push('clock');
    else t.log('libfaketime is not installed here: the clock nemesis is left out of this schedule');
    await runScheduleScenario(t, rt, nodes, faults);
  } finally {
    await rt.down(progress(30_000));
    removeDir(spec.runDir);
  }
});
