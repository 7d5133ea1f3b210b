// Counterexamples never mislead: the sub-history an explanation shows is non-linearizable by an
// independent brute-force check (oracle-brute.ts), and keeps every write its reads could have
// observed (honesty.ts), on generated histories and on Porcupine's corpus.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { checkLinearizable, checkLinearizableSync } from '../../checkers/linearizable.js';
import { buildModel, type ModelName } from '../../checkers/models/index.js';
import type { Op } from '../../src/core/op.js';
import { parsePorcupine } from '../../src/history/porcupine.js';
import { prepareKey } from '../../checkers/check-key.js';
import { explain } from '../../checkers/explain.js';
import { splitByKey } from '../../checkers/prepare.js';
import { searchLinearization } from '../../checkers/wgl.js';
import { bigHistory, type SmallModel } from './generate.js';
import { missingObservableWrites } from './honesty.js';
import { bruteLinearizable, type BruteModel } from './oracle-brute.js';
import { corpusDir, smallHistoryArb, subHistory } from './support.js';

function history(rows: [type: Op['type'], process: number, f: string, value: unknown][]): Op[] {
  return rows.map(([type, process, f, value], index) => ({ index, type, process, f, value, timeNs: index * 10 }));
}

test('regression: a read of 2 with a pending write 2 is never explained without that write (etcd)', (t) => {
  // The read at op 1 saw the pending write 2; the read at op 5 cannot see it again after write 1.
  // A later, completed write 2 (op 7) made "read of 2, write 2 after it: the register holds nil
  // initially" look like a valid 2-op counterexample: minimal, non-linearizable, and false.
  const ops = history([
    ['invoke', 1, 'write', 2],
    ['invoke', 0, 'read', null], ['ok', 0, 'read', 2],
    ['invoke', 0, 'write', 1], ['ok', 0, 'write', 1],
    ['invoke', 0, 'read', null], ['ok', 0, 'read', 2],
    ['invoke', 0, 'write', 2], ['ok', 0, 'write', 2],
  ]);
  const r = checkLinearizableSync(ops, buildModel({ name: 'cas-register' }));
  t.is(r.valid, false);
  const e = r.failure!.explanation!;
  const kept = new Set(e.minimalOps.map((o) => o.index));
  t.true(kept.has(0), `the pending write 2 must be shown: ${JSON.stringify([...kept])}`);
  t.deepEqual(missingObservableWrites(ops, 'cas-register', kept), []);
  t.false(bruteLinearizable(subHistory(ops, kept), 'cas-register'));
  t.notRegex(e.text, /initially/);
  t.true(e.minimal);
});

const CASES: { model: SmallModel; brute: BruteModel; runs: number; failMeansFalse?: string[] }[] = [
  { model: 'register', brute: 'register', runs: 700 },
  { model: 'cas-register', brute: 'cas-register', runs: 700 },
  { model: 'cas-register', brute: 'cas-register', runs: 400, failMeansFalse: ['cas'] },
  { model: 'kv', brute: 'kv', runs: 500 },
  { model: 'kv-append', brute: 'kv', runs: 500 },
];

test('counterexamples of ≥ 1,000 generated invalid histories are non-linearizable and keep every observable write', (t) => {
  const tally = { invalid: 0, withCrashedKept: 0, notMinimal: 0 };
  const problems: string[] = [];
  for (const c of CASES) {
    const model = buildModel({ name: (c.model === 'kv-append' ? 'kv' : c.model) as ModelName });
    const opts = { failMeansFalse: c.failMeansFalse ?? [] };
    fc.assert(
      fc.property(smallHistoryArb(c.model, 10), (h) => {
        if (bruteLinearizable(h, c.brute, opts)) return true;
        tally.invalid++;
        const r = checkLinearizableSync(h, model, { ...opts, budgetMs: 20_000 });
        const e = r.failure?.explanation;
        if (r.valid !== false || !e) {
          problems.push(`${c.model}: checker said ${String(r.valid)} without explanation: ${JSON.stringify(h)}`);
          return true;
        }
        const kept = new Set(e.minimalOps.map((o) => o.index));
        if (!e.minimal) tally.notMinimal++;
        if (e.minimalOps.some((o) => o.completedAtNs === undefined)) tally.withCrashedKept++;
        if (bruteLinearizable(subHistory(h, kept), c.brute, opts)) problems.push(`${c.model}: the counterexample ${JSON.stringify([...kept])} is linearizable: ${JSON.stringify(h)}`);
        const missing = missingObservableWrites(h, c.brute, kept, opts);
        if (missing.length > 0) problems.push(`${c.model}: ${missing.join('; ')} in ${JSON.stringify([...kept])}: ${JSON.stringify(h)}`);
        return true;
      }),
      { numRuns: c.runs, seed: 20261202 },
    );
  }
  t.deepEqual(problems.slice(0, 5), []);
  t.true(tally.invalid >= 1000, JSON.stringify(tally));
  // Crashed writes must be exercised, or honesty is not tested.
  t.true(tally.withCrashedKept >= 50, JSON.stringify(tally));
  t.is(tally.notMinimal, 0, JSON.stringify(tally));
});

test('counterexamples on Porcupine’s corpus are non-linearizable (brute force) and keep every observable write', async (t) => {
  const problems: string[] = [];
  let checked = 0;
  const files = [
    ...readdirSync(join(corpusDir, 'porcupine/jepsen')).map((f) => `jepsen/${f}`),
    ...readdirSync(join(corpusDir, 'porcupine/kv')).map((f) => `kv/${f}`),
  ].sort();
  for (const file of files) {
    if (file.endsWith('etcd_095.log')) continue; // empty: its cluster never started
    const h = parsePorcupine(readFileSync(join(corpusDir, 'porcupine', file), 'utf8'), file);
    if (h.ops.length === 0) continue;
    const r = await checkLinearizable(h.ops, { name: h.model, initial: h.initial }, { failMeansFalse: h.failMeansFalse, budgetMs: 60_000 });
    if (r.valid !== false) continue;
    checked++;
    const e = r.failure?.explanation;
    if (!e) {
      problems.push(`${file}: no explanation`);
      continue;
    }
    const kept = new Set(e.minimalOps.map((o) => o.index));
    const brute = h.model as BruteModel;
    const o = { failMeansFalse: h.failMeansFalse, initial: h.initial };
    if (kept.size > 24) problems.push(`${file}: ${kept.size} ops is too many to read (and to brute-force)`);
    else if (bruteLinearizable(subHistory(h.ops, kept), brute, o)) problems.push(`${file}: the counterexample is linearizable`);
    const missing = missingObservableWrites(h.ops, brute, kept, o);
    if (missing.length > 0) problems.push(`${file}: ${missing.slice(0, 3).join('; ')}`);
  }
  t.is(checked, 79 + 3);
  t.deepEqual(problems, []);
});

test('when the shrinking budget is already spent, the smallest honest window is shown, not the whole key', (t) => {
  const ops = bigHistory({ ops: 3000, concurrency: 10, crashed: 70, seed: 2, violationAt: 0.6 });
  const model = buildModel({ name: 'cas-register' });
  const [item] = splitByKey(ops, model);
  const { calls } = prepareKey(model, item!);
  const outcome = searchLinearization(model, calls, { deadlineMs: performance.now() + 60_000, maxCacheEntries: 5e6 });
  if (outcome.verdict !== false) return t.fail(`the planted violation was not found: ${outcome.verdict}`);
  // No time at all for the explanation: the shrink cannot run.
  const e = explain(model, calls, outcome.best, outcome.blocker, { deadlineMs: performance.now(), maxCacheEntries: 5e6 }, calls);
  t.false(e.minimal);
  t.true(e.minimalOps.length <= 64, `${e.minimalOps.length} ops shown of ${calls.length}`);
  const kept = new Set(e.minimalOps.map((o) => o.index));
  t.deepEqual(missingObservableWrites(ops, 'cas-register', kept), []);
  if (kept.size <= 24) t.false(bruteLinearizable(subHistory(ops, kept), 'cas-register'));
});
