// counter: clients increment one counter by read-then-cas loops and read it. A read must lie
// between the increments known to have happened before it began and all increments that may have
// happened before it ended (ok plus info ones), as Jepsen's counter checker.

import { checkCounter } from '../checkers/counter.js';
import { fn, limit, mix, onClients, once, repeat, untilOk } from '../src/generator/index.js';
import type { Completion } from '../src/interpreter/index.js';
import { completion, storeClient } from './store-client.js';
import type { Workload } from './types.js';

const KEY = 'counter';
const MAX_TRIES = 20;

export function counterWorkload(): Workload {
  return {
    name: 'counter',
    client(thread, ctx) {
      const c = storeClient(thread, ctx);
      return {
        async invoke(inv, signal): Promise<Completion> {
          if (inv.f === 'read') return completion(await c.get(KEY), (v) => (typeof v === 'number' ? v : 0));
          if (inv.f !== 'add') return { type: 'fail', error: `counter has no op ${inv.f}` };
          const delta = inv.value as number;
          // Read, then cas from what was read. A cas that fails on a mismatch did nothing, so try
          // again; one whose outcome is unknown may have applied, so stop: the add is info.
          for (let i = 0; i < MAX_TRIES && !signal.aborted; i++) {
            const read = await c.get(KEY);
            if (read.type !== 'ok') return completion(read.type === 'info' ? { ...read, type: 'fail' } : read);
            const current = typeof read.value === 'number' ? read.value : 0;
            const cas = read.value === null ? await c.cas(KEY, null, delta) : await c.cas(KEY, current, current + delta);
            if (cas.type === 'ok') return { type: 'ok', value: delta, node: cas.node };
            if (cas.type === 'info') return completion(cas);
            if (cas.error !== 'cas-mismatch') return completion(cas);
          }
          return { type: 'fail', error: `no cas succeeded in ${MAX_TRIES} tries` };
        },
        close: () => c.close(),
      };
    },
    generator: mix([fn((ctx) => ({ f: 'add', value: ctx.rng.int(1, 5) })), fn(() => ({ f: 'read', value: null }))]),
    final: onClients(limit(20, untilOk(repeat(once({ f: 'read', value: null }))))),
    checkers: { counter: { check: async (history) => checkCounter(history) } },
  };
}
