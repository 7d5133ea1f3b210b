// Each pruning rule for crashed ops, checked against the brute-force oracle: whenever a rule says
// a crashed op cannot matter, the history without that op has the same verdict; whenever the
// certain-violation rule names a call, the history is not linearizable.

import test from 'ava';
import fc from 'fast-check';
import { UNKNOWN_OUTPUT } from '../../checkers/model.js';
import { buildModel, type ModelName } from '../../checkers/models/index.js';
import { decodePairs, splitByKey } from '../../checkers/prepare.js';
import type { Op } from '../../src/core/op.js';
import type { SmallModel } from './generate.js';
import { oracleLinearizable } from './oracle.js';
import { smallHistoryArb, withoutCall } from './support.js';

type Rule = 'read-only' | 'irrelevant' | 'certain';

/** Invoke indexes of the crashed calls the rule would drop. */
function flagged(history: Op[], name: SmallModel, rule: Rule, failMeansFalse: string[]): number[] {
  const model = buildModel({ name: name as ModelName });
  const out: number[] = [];
  for (const item of splitByKey(history, model, { failMeansFalse })) {
    const calls = decodePairs(model, item.pairs);
    calls.forEach((c, i) => {
      if (c.output !== UNKNOWN_OUTPUT) return;
      const drop = rule === 'read-only' ? model.isPure?.(c.input, c.output) === true : model.crashedIsIrrelevant?.(calls, i) === true;
      if (drop) out.push(c.invoke.index);
    });
  }
  return out;
}

/** True when the model's certain-violation rule names a call in some key of the history. */
function certainViolation(history: Op[], name: SmallModel, failMeansFalse: string[]): boolean {
  const model = buildModel({ name: name as ModelName });
  return splitByKey(history, model, { failMeansFalse }).some((item) => model.certainViolation?.(decodePairs(model, item.pairs)) !== undefined);
}

function checkRule(name: SmallModel, rule: Rule, failMeansFalse: string[] = []): { fired: number; disagreements: string[] } {
  const model = buildModel({ name: name as ModelName });
  let fired = 0;
  const disagreements: string[] = [];
  fc.assert(
    fc.property(smallHistoryArb(name, 8), (history) => {
      const verdict = oracleLinearizable(history, model, failMeansFalse);
      if (rule === 'certain') {
        if (!certainViolation(history, name, failMeansFalse)) return;
        fired++;
        if (verdict) disagreements.push(`${name}: a certain violation named in the linearizable ${JSON.stringify(history)}`);
        return;
      }
      for (const index of flagged(history, name, rule, failMeansFalse)) {
        fired++;
        if (oracleLinearizable(withoutCall(history, index), model, failMeansFalse) !== verdict) {
          disagreements.push(`${name}: dropping op ${index} changed the verdict of ${JSON.stringify(history)}`);
        }
      }
    }),
    { numRuns: 1500, seed: 7 },
  );
  return { fired, disagreements };
}

const RULES: { title: string; model: SmallModel; rule: Rule; failMeansFalse?: string[] }[] = [
  { title: 'crashed reads can be dropped (register)', model: 'register', rule: 'read-only' },
  { title: 'crashed reads can be dropped (set)', model: 'set', rule: 'read-only' },
  { title: 'unobserved crashed writes and cas can be dropped (register)', model: 'register', rule: 'irrelevant' },
  { title: 'unobserved crashed writes and cas can be dropped (cas-register)', model: 'cas-register', rule: 'irrelevant' },
  { title: 'unobserved crashed writes and cas can be dropped (cas-register, fail = returned false)', model: 'cas-register', rule: 'irrelevant', failMeansFalse: ['cas'] },
  { title: 'unobserved crashed writes can be dropped (kv, per key)', model: 'kv', rule: 'irrelevant' },
  { title: 'unread crashed adds can be dropped (set)', model: 'set', rule: 'irrelevant' },
  { title: 'never-dequeued crashed enqueues can be dropped (fifo-queue)', model: 'fifo-queue', rule: 'irrelevant' },
  { title: 'never-dequeued crashed enqueues can be dropped (unordered-queue)', model: 'unordered-queue', rule: 'irrelevant' },
  { title: 'a read of a certainly overwritten value is a violation (register)', model: 'register', rule: 'certain' },
  { title: 'a read of a certainly overwritten value is a violation (cas-register)', model: 'cas-register', rule: 'certain' },
  { title: 'a read of a certainly overwritten value is a violation (cas-register, fail = returned false)', model: 'cas-register', rule: 'certain', failMeansFalse: ['cas'] },
  { title: 'a read of a certainly overwritten value is a violation (kv)', model: 'kv', rule: 'certain' },
];

for (const r of RULES) {
  test(`pruning rule: ${r.title}`, (t) => {
    const { fired, disagreements } = checkRule(r.model, r.rule, r.failMeansFalse);
    t.deepEqual(disagreements.slice(0, 3), []);
    // The rule must actually fire often, or agreement proves nothing.
    t.true(fired >= 100, `the rule fired only ${fired} times`);
  });
}
