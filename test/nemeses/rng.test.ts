// The seeded RNG: same seed, same draws; ranges respected; roughly uniform.

import test from 'ava';
import { createRng } from '../../src/core/rng.js';

test('same seed gives the same sequence, different seeds differ', (t) => {
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const xs = Array.from({ length: 50 }, () => a.nextU32());
  t.deepEqual(Array.from({ length: 50 }, () => b.nextU32()), xs);
  t.notDeepEqual(Array.from({ length: 50 }, () => c.nextU32()), xs);
  t.true(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test('int stays in range and hits every value; float in [0,1)', (t) => {
  const r = createRng(1);
  const counts = new Map<number, number>();
  for (let i = 0; i < 6000; i++) {
    const v = r.int(-2, 3);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  t.deepEqual([...counts.keys()].sort((x, y) => x - y), [-2, -1, 0, 1, 2, 3]);
  for (const n of counts.values()) t.true(n > 800 && n < 1200, `count ${n} far from 1000`);
  for (let i = 0; i < 1000; i++) {
    const f = r.float();
    t.true(f >= 0 && f < 1);
  }
  t.throws(() => r.int(3, 2));
});

test('shuffle and sample keep elements; fork is independent but reproducible', (t) => {
  const r = createRng(9);
  const xs = ['a', 'b', 'c', 'd', 'e'];
  t.deepEqual(r.shuffle(xs).sort(), xs);
  const s = r.sample(xs, 3);
  t.is(new Set(s).size, 3);
  t.true(s.every((x) => xs.includes(x)));
  t.deepEqual(createRng(5).fork().nextU32(), createRng(5).fork().nextU32());
  t.throws(() => createRng(Number.NaN));
});
