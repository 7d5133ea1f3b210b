// kv: many independent keys, read / write / cas on each; the history is split by key and each
// key's sub-history checked on its own (P-compositionality), in parallel.

import { checkLinearizable } from '../checkers/linearizable.js';
import { fn, limit, mix, onClients, once, repeat, seq, untilOk } from '../src/generator/index.js';
import { completion, readNearest, storeClients } from './store-client.js';
import type { Workload } from './types.js';

export function kvWorkload(keyCount = 8): Workload {
  const keys = Array.from({ length: keyCount }, (_, i) => `k${i}`);
  const finalReads = keys.map((k) => limit(10, untilOk(repeat(once({ f: 'read', value: [k, null] })))));
  return {
    name: 'kv',
    client(thread, ctx) {
      const c = storeClients(thread, ctx);
      return {
        async invoke(inv) {
          const [key, v] = inv.value as [string, unknown];
          switch (inv.f) {
            case 'read':
              return completion(await readNearest(c, `kv/${key}`), (value) => [key, value]);
            case 'write':
              return completion(await c.any.put(`kv/${key}`, v), () => inv.value);
            case 'cas': {
              const [from, to] = v as [number, number];
              return completion(await c.any.cas(`kv/${key}`, from, to), () => inv.value);
            }
            default:
              return { type: 'fail', error: `kv has no op ${inv.f}` };
          }
        },
        close: () => c.close(),
      };
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
