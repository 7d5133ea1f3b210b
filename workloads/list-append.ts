// list-append (Elle's): transactions of appends and reads over a small, growing key space, checked
// for cycles in the inferred dependency graph (checkers/txn/list-append.ts, Adya's anomalies) under
// strict serializability — the bundled store claims linearizable transactions.
//
// Generation as Elle's list-append: each transaction has 1..maxTxnLength micro-ops, each an
// append or a read (even odds) of a key chosen Zipf-skewed from a window of `activeKeys` keys;
// the window slides up by one key every `rotateEvery` ops a thread has been given (so each key
// sees a bounded number of appends, then retires and a fresh key takes its place). Appended values
// are unique in the run: thread t's n-th transaction's j-th micro-op appends
// (n·C + t)·maxTxnLength + j (C client threads). Everything a thread draws comes from its own
// stream and its own op count, so a seed gives every thread the same transactions whatever the
// timing. After the faults heal, read-only transactions read every key ever used.

import { listAppendChecker } from '../checkers/txn/list-append.js';
import type { ConsistencyModel } from '../checkers/txn/models.js';
import { fn, limit, onClients, once, repeat, seq, untilOk, type Generator } from '../src/generator/index.js';
import type { Rng } from '../src/core/rng.js';
import type { Workload } from './types.js';

export interface ListAppendOptions {
  /** Keys a transaction may choose from at once (default 8). */
  activeKeys?: number;
  /** Most micro-ops per transaction (default 4). */
  maxTxnLength?: number;
  /** A thread's ops between two slides of the key window (default 4). */
  rotateEvery?: number;
  /** Zipf exponent of the key choice within the window (default 1). */
  zipf?: number;
  /** The model the history is held to (default strict-serializable). */
  consistencyModel?: ConsistencyModel;
}

export type ListAppendMop = ['append', number, number] | ['r', number, number[] | null];

/** Keys read per final read-only transaction. */
const FINAL_CHUNK = 16;

/** A sampler of 0..n-1 with P(i) ∝ 1/(i+1)^s. */
export function zipfSampler(n: number, s: number): (rng: Rng) => number {
  const cdf: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) cdf.push((total += 1 / Math.pow(i + 1, s)));
  return (rng) => {
    const x = rng.float() * total;
    let i = 0;
    while (i < n - 1 && cdf[i]! <= x) i++;
    return i;
  };
}

/** Defers building a generator until it is first asked (the final reads depend on the keys used). */
function lazy(make: () => Generator): Generator {
  let g: Generator | undefined;
  return {
    op: (ctx) => (g ??= make()).op(ctx),
    update: (ctx, event, thread) => (g ??= make()).update(ctx, event, thread),
  };
}

export function listAppendWorkload(o: ListAppendOptions = {}): Workload {
  const active = o.activeKeys ?? 8;
  const maxLen = o.maxTxnLength ?? 4;
  const rotate = o.rotateEvery ?? 4;
  const pickKey = zipfSampler(active, o.zipf ?? 1);
  let highestKey = active - 1;
  const txn = fn((ctx, thread) => {
    const clients = ctx.threads.filter((x) => x !== 'nemesis').length;
    const base = Math.floor(ctx.nth / rotate);
    const len = ctx.rng.int(1, maxLen);
    const id = (ctx.nth * clients + (thread as number)) * maxLen;
    const mops: ListAppendMop[] = [];
    for (let j = 0; j < len; j++) {
      const key = base + pickKey(ctx.rng);
      highestKey = Math.max(highestKey, key);
      mops.push(ctx.rng.float() < 0.5 ? ['r', key, null] : ['append', key, id + j]);
    }
    return { f: 'txn', value: mops };
  });
  const finalReads = lazy(() => {
    const reads: Generator[] = [];
    for (let k = 0; k <= highestKey; k += FINAL_CHUNK) {
      const mops: ListAppendMop[] = [];
      for (let key = k; key <= Math.min(highestKey, k + FINAL_CHUNK - 1); key++) mops.push(['r', key, null]);
      reads.push(limit(10, untilOk(repeat(once({ f: 'txn', value: mops })))));
    }
    return seq(...reads);
  });
  return {
    name: 'list-append',
    ops: {
      txn:
        'value: an array of micro-ops [f, key, v] — f "append" (key an integer, v an integer unique per key: append v to the list at key, ' +
        'an absent key being []) or "r" (v null: read the list at key); apply them all in one transaction. → ok with the same array, ' +
        'each read\'s v replaced by the list read (null or [] for an absent key); fail when the transaction certainly did not commit; ' +
        'info when it may have',
    },
    generator: txn,
    final: onClients(finalReads),
    checkers: { 'list-append': listAppendChecker({ consistencyModel: o.consistencyModel ?? 'strict-serializable' }) },
  };
}
