// kv with appends: appended values are shared and compared in O(1) (checkers/models/append-text.ts),
// crashed appends no read contains are dropped, crashed appends a read certainly contains are
// bound before that read, and the search prunes states a pending read cannot extend. Checked
// against the independent brute-force oracle, and on generated one-key append histories with
// crashed appends (the 214-op, 4-client shape of issue 14) under a configuration bound.

import test from 'ava';
import fc from 'fast-check';
import { checkLinearizableSync } from '../../checkers/linearizable.js';
import { AppendTexts } from '../../checkers/models/append-text.js';
import { buildModel } from '../../checkers/models/index.js';
import type { Op } from '../../src/core/op.js';
import { appendHistory } from './generate.js';
import { bruteLinearizable } from './oracle-brute.js';
import { smallHistoryArb } from './support.js';

test('appended values: the same appends give the same object; reads compare by content', (t) => {
  const texts = new AppendTexts();
  const a = texts.append(texts.append('', 'x 0 0 y'), 'x 1 0 y');
  const b = texts.append(texts.append('', 'x 0 0 y'), 'x 1 0 y');
  t.is(a, b);
  t.not(a, texts.append(texts.append('', 'x 1 0 y'), 'x 0 0 y'));
  t.is(a.toString(), 'x 0 0 yx 1 0 y');
  t.true(a.is(['x 0 0 y', 'x 1 0 y'].join('')));
  t.false(a.is('x 0 0 yx 1 0 z'));
  t.true(a.prefixOf('x 0 0 yx 1 0 yx 2 0 y'));
  t.false(a.prefixOf('x 0 0 yx 2 0 yx 1 0 y'));
  // Long chains (checkpoints every 64 appends) compare exactly.
  let n = texts.append('', 'a');
  let s = 'a';
  for (let i = 0; i < 300; i++) {
    n = texts.append(n, `-${i}`);
    s += `-${i}`;
  }
  t.true(n.is(s));
  t.false(n.is(`${s.slice(0, 100)}X${s.slice(101)}`));
});

test('kv appends: the checker agrees with the brute-force oracle (random and simulated histories with crashed appends)', (t) => {
  const model = buildModel({ name: 'kv' });
  const tally = { histories: 0, valid: 0, invalid: 0, crashed: 0 };
  fc.assert(
    fc.property(smallHistoryArb('kv-append', 10), (h) => {
      const expected = bruteLinearizable(h, 'kv');
      tally.histories++;
      return checkLinearizableSync(h, model).valid === expected;
    }),
    { numRuns: 1500, seed: 14 },
  );
  const wrong: string[] = [];
  for (let seed = 1; seed <= 600; seed++) {
    const options = { ops: 9, clients: 3, keys: 1, crashed: 3, seed, reads: 0.45 };
    let h: Op[];
    try {
      h = appendHistory({ ...options, violation: seed % 3 === 0 });
    } catch {
      h = appendHistory(options); // too short to plant one: a valid history then
    }
    const expected = bruteLinearizable(h, 'kv', { initial: '' });
    const got = checkLinearizableSync(h, buildModel({ name: 'kv', initial: '' })).valid;
    tally.histories++;
    if (expected) tally.valid++;
    else tally.invalid++;
    if (h.some((o) => o.type === 'info')) tally.crashed++;
    if (got !== expected) wrong.push(`seed ${seed}: got ${String(got)}, oracle ${expected}`);
  }
  t.deepEqual(wrong, []);
  t.true(tally.valid > 200 && tally.invalid > 100 && tally.crashed > 300, JSON.stringify(tally));
});

test('214-op one-key append histories with crashed appends are decided within 50k configurations', (t) => {
  const model = buildModel({ name: 'kv', initial: '' });
  for (let seed = 1; seed <= 8; seed++) {
    const valid = appendHistory({ ops: 214, clients: 4, keys: 1, crashed: 15, seed });
    t.is(checkLinearizableSync(valid, model, { maxCacheEntries: 50_000, budgetMs: 120_000 }).valid, true, `seed ${seed}`);
    const invalid = appendHistory({ ops: 214, clients: 4, keys: 1, crashed: 15, violation: true, seed });
    t.is(checkLinearizableSync(invalid, model, { maxCacheEntries: 50_000, budgetMs: 120_000, explain: false }).valid, false, `seed ${seed} (violation)`);
  }
});
