// Which writes a counterexample must keep, computed independently of the checker (from the brute
// oracle's own decoding): for every kept completed call that observed a value v (a read of v, a
// cas from v that succeeded), every write of v / cas to v (not one that returned false) invoked
// before that call returned and not certainly overwritten before it was invoked (a completed call
// setting another value invoked after the writer returned and returned before the reader was
// invoked — never the case for a crashed or pending writer); and for a read of a string, every
// append of a non-empty substring of it invoked before the read returned.

import type { Op } from '../../src/core/op.js';
import { bruteCalls, type BruteModel, type BruteOptions } from './oracle-brute.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Invoke indexes of writes some kept call could have observed that `kept` leaves out (with why). */
export function missingObservableWrites(history: readonly Op[], model: BruteModel, kept: ReadonlySet<number>, o: BruteOptions = {}): string[] {
  const missing: string[] = [];
  for (const calls of bruteCalls(history, model, o).values()) {
    const sets = (c: (typeof calls)[number]): { v: unknown } | undefined => {
      if (!c.completed) return undefined;
      if (c.f === 'write') return { v: c.arg };
      if (c.f === 'cas' && c.out === true) return { v: (c.arg as unknown[])[1] };
      return undefined;
    };
    for (const k of calls) {
      if (!kept.has(k.index) || !k.completed) continue;
      let needs: { v: unknown } | undefined;
      if (k.f === 'read') needs = { v: k.out };
      else if (k.f === 'cas' && k.out === true) needs = { v: (k.arg as unknown[])[0] };
      if (needs && !same(needs.v, o.initial ?? null)) {
        for (const w of calls) {
          if (w === k || kept.has(w.index) || w.callPos >= k.returnPos) continue;
          // A cas x→x changes nothing: nobody observes it.
          const [from, to] = w.f === 'cas' ? (w.arg as unknown[]) : [];
          const writes = w.f === 'write' ? w.arg : w.f === 'cas' && w.out !== false && !same(from, to) ? to : undefined;
          if (writes === undefined || !same(writes, needs.v)) continue;
          const overwritten =
            w.completed &&
            calls.some((c) => {
              const s = sets(c);
              return s !== undefined && !same(s.v, needs!.v) && c.callPos > w.returnPos && c.returnPos < k.callPos;
            });
          if (!overwritten) missing.push(`op ${w.index} (${w.f} ${JSON.stringify(w.arg)}) could be observed by op ${k.index}`);
        }
      }
      if (k.f === 'read' && typeof k.out === 'string') {
        for (const w of calls) {
          if (w.f !== 'append' || kept.has(w.index) || w.callPos >= k.returnPos) continue;
          if (String(w.arg) !== '' && k.out.includes(String(w.arg))) missing.push(`append ${w.index} could be observed by read ${k.index}`);
        }
      }
    }
  }
  return missing;
}
