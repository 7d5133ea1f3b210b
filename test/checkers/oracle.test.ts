// The checker agrees with the brute-force oracle on ≥ 10,000 random small histories across
// models, including crashed (info), failed and never-completed ops.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizableSync } from '../../checkers/linearizable.js';
import { buildModel, type ModelName } from '../../checkers/models/index.js';
import type { SmallModel } from './generate.js';
import { oracleLinearizable } from './oracle.js';
import { smallHistoryArb } from './support.js';

const CASES: { model: SmallModel; runs: number; failMeansFalse?: string[] }[] = [
  { model: 'register', runs: 1300 },
  { model: 'cas-register', runs: 1700 },
  { model: 'cas-register', runs: 1000, failMeansFalse: ['cas'] },
  { model: 'kv', runs: 1000 },
  { model: 'set', runs: 1300 },
  { model: 'fifo-queue', runs: 1300 },
  { model: 'unordered-queue', runs: 1300 },
  { model: 'mutex', runs: 1100 },
];

test('the checker agrees with the brute-force oracle on 10,000 small histories', (t) => {
  const tally = { histories: 0, linearizable: 0, not: 0, withCrashed: 0 };
  for (const c of CASES) {
    const model = buildModel({ name: c.model as ModelName });
    fc.assert(
      fc.property(smallHistoryArb(c.model), (history) => {
        const expected = oracleLinearizable(history, model, c.failMeansFalse);
        const got = checkLinearizableSync(history, model, { failMeansFalse: c.failMeansFalse ?? [], budgetMs: 20_000 });
        tally.histories++;
        if (expected) tally.linearizable++;
        else tally.not++;
        if (history.some((o) => o.type === 'info')) tally.withCrashed++;
        return got.valid === expected;
      }),
      { numRuns: c.runs, seed: 20261122 },
    );
  }
  t.true(tally.histories >= 10_000);
  // The generator must exercise both verdicts and crashed ops, or agreement means little.
  t.true(tally.linearizable > 1000 && tally.not > 1000, JSON.stringify(tally));
  t.true(tally.withCrashed > 1000, JSON.stringify(tally));
});
