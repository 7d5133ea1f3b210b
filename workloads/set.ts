// set: every client adds unique integers to one set (a list value, appended to), reads it now and
// then, and reads it once more after every fault healed. Checked as Jepsen's set-full: an
// acknowledged add missing from the final read is lost; a value never added is unexpected.

import { checkSet } from '../checkers/set.js';
import { fn, limit, mix, onClients, once, repeat, untilOk } from '../src/generator/index.js';
import { completion, storeClient } from './store-client.js';
import type { Workload } from './types.js';

const KEY = 'set';

export function setWorkload(): Workload {
  // Thread t's n-th op adds n·C + t (C client threads): unique in the run, and the same values on
  // the same threads for the same seed, whatever the timing.
  const add = fn((ctx, thread) => ({ f: 'add', value: ctx.nth * ctx.threads.filter((x) => x !== 'nemesis').length + (thread as number) }));
  return {
    name: 'set',
    client(thread, ctx) {
      const c = storeClient(thread, ctx);
      return {
        async invoke(inv) {
          if (inv.f === 'add') return completion(await c.append(KEY, inv.value), () => inv.value);
          if (inv.f === 'read') return completion(await c.get(KEY), (v) => (Array.isArray(v) ? v : v === null ? [] : v));
          return { type: 'fail', error: `set has no op ${inv.f}` };
        },
        close: () => c.close(),
      };
    },
    generator: mix([add, add, add, fn(() => ({ f: 'read', value: null }))]),
    final: onClients(limit(20, untilOk(repeat(once({ f: 'read', value: null }))))),
    checkers: { set: { check: async (history) => checkSet(history) } },
  };
}
