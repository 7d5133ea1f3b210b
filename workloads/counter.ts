// counter: clients increment one counter by read-then-cas loops and read it. A read must lie
// between the increments known to have happened before it began and all increments that may have
// happened before it ended (ok plus info ones), as Jepsen's counter checker.

import { checkCounter } from '../checkers/counter.js';
import { fn, limit, mix, onClients, once, repeat, untilOk } from '../src/generator/index.js';
import type { Workload } from './types.js';

export function counterWorkload(): Workload {
  return {
    name: 'counter',
    ops: {
      add: 'value d (a small positive integer) → ok when the counter grew by d; fail when it certainly did not',
      read: 'value null → ok with the counter (0 when never added to)',
    },
    generator: mix([fn((ctx) => ({ f: 'add', value: ctx.rng.int(1, 5) })), fn(() => ({ f: 'read', value: null }))]),
    final: onClients(limit(20, untilOk(repeat(once({ f: 'read', value: null }))))),
    checkers: { counter: { check: async (history) => checkCounter(history) } },
  };
}
