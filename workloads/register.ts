// register: one key, read / write / cas of small integers; checked for linearizability against a
// cas-register. The classic Jepsen test: stale reads, lost writes and split brain all show up as
// a history no single order can explain.

import { checkLinearizable } from '../checkers/linearizable.js';
import { fn, limit, mix, onClients, untilOk, repeat, once } from '../src/generator/index.js';
import type { Workload } from './types.js';

export function registerWorkload(): Workload {
  return {
    name: 'register',
    ops: {
      read: 'value null → ok with the value read (null when never written)',
      write: 'value v (a small integer) → ok when written',
      cas: 'value [from, to] → ok when the value was `from` and is now `to`; fail when it was not `from`',
    },
    generator: mix([
      fn(() => ({ f: 'read', value: null })),
      fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 4) })),
      fn((ctx) => ({ f: 'cas', value: [ctx.rng.int(0, 4), ctx.rng.int(0, 4)] })),
    ]),
    final: onClients(limit(20, untilOk(repeat(once({ f: 'read', value: null }))))),
    checkers: {
      linearizable: { check: (history, opts) => checkLinearizable(history, { name: 'cas-register' }, opts) },
    },
  };
}

