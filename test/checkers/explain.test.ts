// Explanations of violations: the minimal sub-history is non-linearizable and no single op can be
// removed from it (keeping it sourced and honest), and the words name the ops and their times.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { isSourced, Observability } from '../../checkers/explain.js';
import { checkLinearizableSync } from '../../checkers/linearizable.js';
import { buildModel, casRegisterModel } from '../../checkers/models/index.js';
import { decodePairs, splitByKey } from '../../checkers/prepare.js';
import type { AnyModel } from '../../checkers/model.js';
import type { Op } from '../../src/core/op.js';
import { parsePorcupine } from '../../src/history/porcupine.js';
import { oracleLinearizable } from './oracle.js';
import { corpusDir, smallHistoryArb, subHistory } from './support.js';

/**
 * Ops of the sub-history named by a result's minimal ops, and whether each one-op removal is
 * harmless: a removal that leaves it non-linearizable is allowed only when it leaves an observed
 * value unwritten (unsourced) or drops a write a kept op could have observed (dishonest).
 */
function checkMinimal(history: Op[], model: AnyModel, minimalIndexes: number[], decide: (h: Op[]) => boolean, failMeansFalse: string[] = []): string[] {
  const problems: string[] = [];
  const sub = subHistory(history, new Set(minimalIndexes));
  if (decide(sub)) problems.push(`the minimal sub-history ${JSON.stringify(minimalIndexes)} is linearizable`);
  const byKey = splitByKey(history, model, { failMeansFalse }).map((k) => decodePairs(model, k.pairs));
  for (const drop of minimalIndexes) {
    const keep = new Set(minimalIndexes.filter((i) => i !== drop));
    const smaller = subHistory(history, keep);
    if (smaller.length === 0 || decide(smaller)) continue;
    const honest = byKey.every((pool) => new Observability(model, pool).isHonest(pool.filter((c) => keep.has(c.invoke.index))));
    const calls = splitByKey(smaller, model, { failMeansFalse }).flatMap((k) => decodePairs(model, k.pairs));
    if (honest && isSourced(model, calls)) problems.push(`op ${drop} can be removed from ${JSON.stringify(minimalIndexes)}`);
  }
  return problems;
}

test('minimal sub-histories of random non-linearizable histories are minimal (oracle)', (t) => {
  let checked = 0;
  for (const name of ['cas-register', 'register', 'set', 'fifo-queue', 'mutex'] as const) {
    const model = buildModel({ name });
    fc.assert(
      fc.property(smallHistoryArb(name, 9), (history) => {
        const r = checkLinearizableSync(history, model);
        if (r.valid !== false) return true;
        checked++;
        const e = r.failure?.explanation;
        if (!e || !e.minimal) return false;
        return checkMinimal(history, model, e.minimalOps.map((o) => o.index), (h) => oracleLinearizable(h, model)).length === 0;
      }),
      { numRuns: 300, seed: 99 },
    );
  }
  t.true(checked > 300, `only ${checked} non-linearizable histories were generated`);
});

test('minimal sub-histories of the non-linearizable etcd logs are minimal', (t) => {
  const model = casRegisterModel();
  const problems: string[] = [];
  for (const n of [0, 1, 3, 10, 19, 29, 36, 60, 90]) {
    const file = `etcd_${String(n).padStart(3, '0')}.log`;
    const h = parsePorcupine(readFileSync(join(corpusDir, 'porcupine/jepsen', file), 'utf8'), file);
    const options = { failMeansFalse: h.failMeansFalse };
    const r = checkLinearizableSync(h.ops, model, options);
    const e = r.failure?.explanation;
    if (r.valid !== false || !e) {
      problems.push(`${file}: no violation explained`);
      continue;
    }
    if (!e.minimal) problems.push(`${file}: shrinking did not finish`);
    const decide = (sub: Op[]): boolean => checkLinearizableSync(sub, model, { ...options, explain: false }).valid === true;
    problems.push(...checkMinimal(h.ops, model, e.minimalOps.map((o) => o.index), decide, h.failMeansFalse).map((p) => `${file}: ${p}`));
    if (e.minimalOps.length > 6) problems.push(`${file}: ${e.minimalOps.length} ops is not small`);
  }
  t.deepEqual(problems, []);
});

test('a stale read is explained in words with the ops and their times', (t) => {
  const ops: Op[] = [
    { index: 0, type: 'invoke', process: 0, f: 'write', value: 3, timeNs: 100 },
    { index: 1, type: 'ok', process: 0, f: 'write', value: 3, timeNs: 200 },
    { index: 2, type: 'invoke', process: 1, f: 'write', value: 4, timeNs: 300 },
    { index: 3, type: 'ok', process: 1, f: 'write', value: 4, timeNs: 400 },
    { index: 4, type: 'invoke', process: 2, f: 'read', value: null, timeNs: 500 },
    { index: 5, type: 'ok', process: 2, f: 'read', value: 3, timeNs: 600 },
  ];
  const r = checkLinearizableSync(ops, casRegisterModel());
  t.is(r.valid, false);
  const e = r.failure!.explanation!;
  t.is(e.diedAt?.index, 4);
  t.deepEqual(e.partialLinearization.map((p) => [p.op.description, p.stateAfter]), [
    ['write 3', 'the register holds 3'],
    ['write 4', 'the register holds 4'],
  ]);
  t.deepEqual(e.minimalOps.map((o) => o.index), [0, 2, 4]);
  t.regex(e.text, /^read of 3 at t=500 ns cannot follow write 3 \(completed t=200 ns\) and write 4 \(completed t=400 ns\)/);
  t.regex(e.text, /the register holds 4/);
});
