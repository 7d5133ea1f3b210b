// A deterministic, clock-free run of a generator: every op takes `latencyNs` of simulated time
// and completes as `complete` says. For tests of generators and for showing a schedule without
// running it (the same seed gives the same ops).

import type { Op } from '../core/op.js';
import { createRng } from '../core/rng.js';
import type { Generator, Thread } from './index.js';

export interface SimOptions {
  concurrency: number;
  nemesis?: boolean;
  seed: number;
  latencyNs?: number;
  /** Completion type of an invoked op (default ok). */
  complete?: (op: Op) => 'ok' | 'fail' | 'info';
  /** Stop after this many ops (a guard for infinite generators). */
  maxOps?: number;
}

export function simulate(gen: Generator, o: SimOptions): { ops: Op[]; threadOf: Thread[] } {
  const rng = createRng(o.seed);
  const latencyNs = o.latencyNs ?? 1_000_000;
  const threads: Thread[] = [...Array(o.concurrency).keys()];
  if (o.nemesis) threads.push('nemesis');
  const process = new Map<Thread, number | 'nemesis'>(threads.map((t) => [t, t]));
  const free = new Set<Thread>(threads);
  const inFlight: { thread: Thread; invoke: Op; doneNs: number }[] = [];
  const ops: Op[] = [];
  const threadOf: Thread[] = [];
  let timeNs = 0;
  const maxOps = o.maxOps ?? 100_000;
  let given = 0;
  const ctx = () => ({ timeNs, free: [...free], threads, rng, nth: given });
  const record = (op: Op, thread: Thread) => {
    ops.push(op);
    threadOf.push(thread);
    gen = gen.update(ctx(), op, thread);
  };
  while (ops.length < maxOps) {
    inFlight.sort((a, b) => a.doneNs - b.doneNs);
    const step = gen.op(ctx());
    if (step.kind === 'pending') gen = step.next; // e.g. a sleep's deadline, fixed when first asked
    const nextDone = inFlight[0]?.doneNs;
    if (step.kind === 'op' && (step.op.timeNs ?? timeNs) <= timeNs) {
      gen = step.next;
      given++;
      free.delete(step.thread);
      const invoke: Op = { index: ops.length, type: 'invoke', process: process.get(step.thread)!, f: step.op.f, value: step.op.value, timeNs };
      record(invoke, step.thread);
      inFlight.push({ thread: step.thread, invoke, doneNs: timeNs + latencyNs });
      continue;
    }
    const wakeNs = step.kind === 'op' ? step.op.timeNs : step.kind === 'pending' ? step.wakeNs : undefined;
    if (step.kind === 'done' && inFlight.length === 0) break;
    if (nextDone !== undefined && (wakeNs === undefined || nextDone <= wakeNs)) {
      const f = inFlight.shift()!;
      timeNs = Math.max(timeNs, f.doneNs);
      const type = f.thread === 'nemesis' ? 'info' : (o.complete?.(f.invoke) ?? 'ok');
      record({ ...f.invoke, index: ops.length, type, timeNs }, f.thread);
      free.add(f.thread);
      if (type === 'info' && f.thread !== 'nemesis') process.set(f.thread, (process.get(f.thread) as number) + o.concurrency);
    } else if (wakeNs !== undefined) timeNs = Math.max(timeNs, wakeNs);
    else throw new Error('generator is pending with nothing in flight and no wake time (it would hang)');
  }
  return { ops, threadOf };
}
