// The counter checker, as Jepsen's: the counter starts at 0 and only grows by `add` ops. A read
// must be at least the sum of adds acknowledged before the read began, and at most the sum of
// adds that may have happened before it ended (acknowledged or unknown, invoked before its end).

import type { Op } from '../src/core/op.js';
import type { CheckResult, Validity } from '../src/core/validity.js';

export interface CounterError {
  readIndex: number;
  value: number;
  lower: number;
  upper: number;
  timeNs: number;
}

export interface CounterResult extends CheckResult {
  valid: Validity;
  reads: number;
  errors: CounterError[];
  /** The final read and its bounds, if any read succeeded. */
  final?: { value: number; lower: number; upper: number };
}

export function checkCounter(history: readonly Op[]): CounterResult {
  // Pair each op with its completion so an add's outcome is known when its invoke is seen.
  const outcome = new Map<number, Op>();
  const open = new Map<Op['process'], Op>();
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') open.set(op.process, op);
    else {
      const inv = open.get(op.process);
      if (inv) outcome.set(inv.index, op);
      open.delete(op.process);
    }
  }
  let lower = 0; // acked adds completed so far
  let upper = 0; // adds invoked so far that are not known to have failed
  const readLower = new Map<Op['process'], number>();
  const errors: CounterError[] = [];
  let reads = 0;
  let final: CounterResult['final'];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.f === 'add') {
      const delta = Number(op.value);
      if (op.type === 'invoke') {
        const done = outcome.get(op.index);
        if (!done || done.type !== 'fail') upper += delta;
      } else if (op.type === 'ok') lower += delta;
    } else if (op.f === 'read') {
      if (op.type === 'invoke') readLower.set(op.process, lower);
      else if (op.type === 'ok') {
        reads++;
        const lo = readLower.get(op.process) ?? 0;
        const v = Number(op.value);
        if (!(v >= lo && v <= upper)) errors.push({ readIndex: op.index, value: v, lower: lo, upper, timeNs: op.timeNs });
        final = { value: v, lower: lo, upper };
      }
    }
  }
  const valid: Validity = errors.length > 0 ? false : reads === 0 ? 'unknown' : true;
  return { valid, reads, errors: errors.slice(0, 100), ...(final ? { final } : {}), ...(reads === 0 ? { error: 'no read succeeded' } : {}) };
}
