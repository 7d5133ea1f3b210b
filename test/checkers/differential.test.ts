// Differential fuzz: the checker against the independent brute-force oracle (oracle-brute.ts: its
// own decoding and sequential semantics, no code shared with the search or the models) on 2,400
// generated register, cas-register and kv-append histories with crashed, failed and pending ops.
// Zero wrong verdicts and zero unknowns allowed.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizableSync } from '../../checkers/linearizable.js';
import { buildModel, type ModelName } from '../../checkers/models/index.js';
import type { SmallModel } from './generate.js';
import { bruteLinearizable, type BruteModel } from './oracle-brute.js';
import { smallHistoryArb } from './support.js';

const CASES: { model: SmallModel; brute: BruteModel; runs: number; failMeansFalse?: string[] }[] = [
  { model: 'register', brute: 'register', runs: 600 },
  { model: 'cas-register', brute: 'cas-register', runs: 600 },
  { model: 'cas-register', brute: 'cas-register', runs: 300, failMeansFalse: ['cas'] },
  { model: 'kv-append', brute: 'kv', runs: 900 },
];

test('the checker agrees with the independent brute-force oracle on 2,400 generated histories', (t) => {
  const tally = { histories: 0, valid: 0, invalid: 0, unknown: 0, wrong: 0 };
  const wrong: string[] = [];
  for (const c of CASES) {
    const model = buildModel({ name: (c.model === 'kv-append' ? 'kv' : c.model) as ModelName });
    const opts = { failMeansFalse: c.failMeansFalse ?? [] };
    fc.assert(
      fc.property(smallHistoryArb(c.model, 11), (h) => {
        const expected = bruteLinearizable(h, c.brute, opts);
        const got = checkLinearizableSync(h, model, { ...opts, budgetMs: 30_000, explain: false }).valid;
        tally.histories++;
        if (expected) tally.valid++;
        else tally.invalid++;
        if (got === 'unknown') tally.unknown++;
        else if (got !== expected) {
          tally.wrong++;
          if (wrong.length < 3) wrong.push(`${c.model}: checker ${String(got)}, oracle ${expected}: ${JSON.stringify(h)}`);
        }
        return true;
      }),
      { numRuns: c.runs, seed: 20261202 },
    );
  }
  t.deepEqual(wrong, []);
  t.is(tally.unknown, 0);
  t.true(tally.histories >= 2400 && tally.valid > 400 && tally.invalid > 400, JSON.stringify(tally));
});
