// The simulator must catch known protocol mistakes, not only the bugs we designed (issue 12,
// item 5). Each mutation of the table (src/store/sim/mutations.ts) is switched on in the core
// and randomized seeds are run until a check fails; the test fails if any mutation escapes its
// bound. `node dist/bench/mutations.js` prints the table (mutation → seeds to first catch).

import test from 'ava';
import { MUTATIONS, firstCatch } from '../../src/store/sim/mutations.js';

/** Seeds allowed per mutation; the slowest today (raft figure8-commit) is caught at seed 80. */
const BOUND = 200;

for (const m of MUTATIONS) {
  test(`${m.protocol} ${m.name} is caught within ${BOUND} seeds`, (t) => {
    const c = firstCatch(m, BOUND);
    t.truthy(c.seed, `${m.protocol} ${m.name} escaped ${BOUND} seeds`);
    t.log(`seed ${c.seed}: ${c.message}`);
  });
}

test('the table has at least four mutations per protocol', (t) => {
  t.true(MUTATIONS.filter((m) => m.protocol === 'raft').length >= 4);
  t.true(MUTATIONS.filter((m) => m.protocol === 'paxos').length >= 4);
});
