// kv: many independent keys, read / write / cas on each; the history is split by key and each
// key's sub-history checked on its own (P-compositionality), in parallel.

import { checkLinearizable } from '../checkers/linearizable.js';
import { fn, limit, mix, onClients, once, repeat, seq, untilOk } from '../src/generator/index.js';
import type { Workload } from './types.js';

export function kvWorkload(keyCount = 8): Workload {
  const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
  const finalReads = keys.map((k) => limit(10, untilOk(repeat(once({ f: 'read', value: [k, null] })))));
  return {
    name: 'kv',
    ops: {
      read: 'value [key, null] → ok with [key, value read]',
      write: 'value [key, v] → ok when written',
      cas: 'value [key, [from, to]] → ok when key held `from` and now holds `to`; fail when it did not hold `from`',
    },
    generator: mix([
      fn((ctx) => ({ f: 'read', value: [ctx.rng.pick(keys), null] })),
      fn((ctx) => ({ f: 'write', value: [ctx.rng.pick(keys), ctx.rng.int(0, 4)] })),
      fn((ctx) => ({ f: 'cas', value: [ctx.rng.pick(keys), [ctx.rng.int(0, 4), ctx.rng.int(0, 4)]] })),
    ]),
    final: onClients(seq(...finalReads)),
    checkers: {
      linearizable: { check: (history, opts) => checkLinearizable(history, { name: 'kv' }, opts) },
    },
  };
}
