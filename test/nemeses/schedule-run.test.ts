// A seeded schedule of every fault, run for real against a local 3-node cluster through the
// composed nemesis: every op completes as info (process nemesis) with what it did, and after the
// final heal the cluster converges and accepts writes.

import test from 'ava';
import { compose } from '../../nemeses/index.js';
import { findLeader } from '../../nemeses/leader.js';
import { schedule } from '../../nemeses/schedule.js';
import type { NemesisContext } from '../../nemeses/types.js';
import type { Op } from '../../src/history/op.js';
import { hostFaketimeLib } from '../../src/runtime/common.js';
import { healAll } from '../../src/runtime/guard.js';
import { LocalRuntime } from '../../src/runtime/local.js';
import { progress } from '../../src/runtime/types.js';
import { createRng } from '../../src/test/rng.js';
import { clientFor, newSpec, putUntilOk, removeDir, useTempHome, waitConverged } from '../runtime/helpers.js';

useTempHome();

test('a seeded schedule of all faults runs, records what it did, and heals', async (t) => {
  const rt = new LocalRuntime();
  const spec = newSpec(3);
  const nodes = await rt.up(spec, progress(60_000));
  try {
    const faults = hostFaketimeLib() ? (['partition', 'kill', 'pause', 'clock', 'loss', 'delay'] as const) : (['partition', 'kill', 'pause', 'loss', 'delay'] as const);
    const ops = schedule({ faults: [...faults], nodes: nodes.map((n) => n.name), intervalMs: 250, durationMs: 6000, seed: 42, clockOffsetMsMax: 30_000 });
    const nemesis = compose();
    const ctx: NemesisContext = { runtime: rt, nodes, rng: createRng(42), findLeader: () => findLeader(nodes, 300), progress: progress(20_000) };
    const history: Op[] = [];
    const started = Date.now();
    for (const [i, s] of ops.entries()) {
      const wait = started + s.atMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const { atMs: _at, ...op } = s;
      const invoke: Op = { index: 2 * i, type: 'invoke', process: 'nemesis', f: op.f, value: op.value, timeNs: (Date.now() - started) * 1e6 };
      history.push(invoke);
      const done = await nemesis.invoke({ ...ctx, progress: progress(20_000) }, invoke);
      history.push({ ...done, index: 2 * i + 1, timeNs: (Date.now() - started) * 1e6 });
    }
    const completions = history.filter((o) => o.type !== 'invoke');
    t.is(completions.length, ops.length);
    t.true(completions.every((o) => o.type === 'info' && o.process === 'nemesis'));
    const fs = new Set(completions.map((o) => o.f));
    t.true(fs.size >= 6, `only ${[...fs].join(', ')} were exercised`);
    const errors = completions.filter((o) => o.error && !/no leader/.test(o.error));
    t.deepEqual(errors.map((o) => `${o.f}: ${o.error}`), []);
    t.log(completions.map((o) => `${o.f} ${JSON.stringify(o.value).slice(0, 120)}`).join('\n'));
    await healAll(rt, { keepUp: true, healNemeses: (p) => nemesis.heal({ ...ctx, progress: p }) });
    await waitConverged(nodes, 30_000);
    const c = clientFor(nodes);
    await putUntilOk(c, 'after-schedule', 1);
    await c.close();
  } finally {
    await rt.down(progress(30_000));
    removeDir(spec.runDir);
  }
});
