// register: one key, read / write / cas of small integers; checked for linearizability against a
// cas-register. The classic Jepsen test: stale reads, lost writes and split brain all show up as
// a history no single order can explain.

import { checkLinearizable } from '../checkers/linearizable.js';
import { fn, limit, mix, onClients, untilOk, repeat, once } from '../src/generator/index.js';
import { completion, readNearest, storeClients } from './store-client.js';
import type { Workload } from './types.js';

const KEY = 'register';

export function registerWorkload(): Workload {
  return {
    name: 'register',
    client(thread, ctx) {
      const c = storeClients(thread, ctx);
      return {
        async invoke(inv) {
          switch (inv.f) {
            case 'read':
              return completion(await readNearest(c, KEY));
            case 'write':
              return completion(await c.any.put(KEY, inv.value), () => inv.value);
            case 'cas': {
              const [from, to] = inv.value as [number, number];
              return completion(await c.any.cas(KEY, from, to), () => inv.value);
            }
            default:
              return { type: 'fail', error: `register has no op ${inv.f}` };
          }
        },
        close: () => c.close(),
      };
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

