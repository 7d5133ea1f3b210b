// Budgets and scale: a budget hit gives `unknown` with how far the search got (never a wrong
// verdict); big generated histories (valid by construction, or with a planted violation) are
// decided; the parallel path stops at the first non-linearizable key.

import test from 'ava';
import { checkLinearizable, checkLinearizableSync, linearizableChecker } from '../../checkers/linearizable.js';
import { casRegisterModel, kvModel } from '../../checkers/models/index.js';
import { bigHistory } from './generate.js';

const hard = bigHistory({ ops: 20_000, concurrency: 20, crashed: 70, seed: 3 });

test('a 1 ms budget on a hard history gives unknown with progress, never a verdict', (t) => {
  const r = checkLinearizableSync(hard, casRegisterModel(), { budgetMs: 1 });
  t.is(r.valid, 'unknown');
  t.is(r.unknownKeys?.[0]?.reason, 'time');
  t.true(r.unknownKeys![0]!.of > 10_000);
  t.true(r.unknownKeys![0]!.linearized < r.unknownKeys![0]!.of);
});

test('a memory bound of a few configurations gives unknown (memory), never a verdict', (t) => {
  const r = checkLinearizableSync(hard, casRegisterModel(), { maxCacheEntries: 50 });
  t.is(r.valid, 'unknown');
  t.is(r.unknownKeys?.[0]?.reason, 'memory');
});

test('an aborted check is unknown', (t) => {
  const controller = new AbortController();
  controller.abort();
  t.is(checkLinearizableSync(hard, casRegisterModel(), { signal: controller.signal }).valid, 'unknown');
});

test('generated cas-register histories with 70 crashed ops: valid ones valid, planted violations found', (t) => {
  for (const seed of [1, 2]) {
    const valid = bigHistory({ ops: 3000, concurrency: 10, crashed: 70, seed });
    t.is(checkLinearizableSync(valid, casRegisterModel(), { explain: false }).valid, true, `seed ${seed} valid`);
    for (const at of [0.2, 0.8]) {
      const bad = bigHistory({ ops: 3000, concurrency: 10, crashed: 70, seed, violationAt: at });
      const r = checkLinearizableSync(bad, casRegisterModel());
      t.is(r.valid, false, `seed ${seed} violation at ${at}`);
      t.truthy(r.failure?.explanation?.minimalOps.some((o) => o.description.startsWith('read of')));
    }
  }
});

test('worker threads: many keys are checked in parallel and stop at the first bad key', async (t) => {
  const spec = { name: 'kv' as const };
  const good = bigHistory({ ops: 60_000, concurrency: 20, crashed: 60, keys: 200, seed: 5 });
  const ok = await checkLinearizable(good, spec, { parallel: true });
  t.is(ok.valid, true);
  t.is(ok.keysChecked, 200);
  const bad = bigHistory({ ops: 60_000, concurrency: 20, crashed: 60, keys: 200, seed: 5, violationAt: 0.3 });
  const r = await checkLinearizable(bad, spec, { parallel: true });
  t.is(r.valid, false);
  t.truthy(r.failure?.key);
  // The same verdict in one thread.
  t.is(checkLinearizableSync(bad, kvModel(), { explain: false }).valid, false);
});

test('linearizableChecker: the Checker shape workloads use, with per-call budgets', async (t) => {
  const checker = linearizableChecker({ name: 'cas-register' });
  t.is((await checker.check(bigHistory({ ops: 500, concurrency: 5, crashed: 10, seed: 4 }))).valid, true);
  t.is((await checker.check(hard, { budgetMs: 1 })).valid, 'unknown');
});
