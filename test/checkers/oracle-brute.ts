// An independent brute-force linearizability checker for small register / cas-register / kv
// histories, for tests only. It shares NO code with the checker: not its search (checkers/wgl.ts),
// not its preparation (pairing, pruning), and not its models — the sequential semantics below
// are written again from Jepsen's definitions, so a bug in a model's step or decode shows up as
// a disagreement instead of being repeated on both sides.
//
// Semantics: `ok` happened with that output; `fail` did not happen, unless its f is listed in
// `failMeansFalse` (then a cas that returned false); `info` and never-completed invokes may take
// effect at any point after the invoke, or never. Nemesis ops are ignored. Every order of the
// calls that respects real time is tried (a call may go next only if no unplaced completed call
// returned before it was invoked), memoizing failed (placed set, state) pairs.

import type { Op } from '../../src/core/op.js';

export type BruteModel = 'register' | 'cas-register' | 'kv';

export interface BruteOptions {
  failMeansFalse?: readonly string[];
  /** The initial value of the register (of every key for kv). Default null. */
  initial?: unknown;
  /** Knossos: a completed read of nil is satisfied by any state (it read "nothing known"). */
  nilReadsAnything?: boolean;
}

type Value = unknown;

interface BruteCall {
  f: 'read' | 'write' | 'cas' | 'append';
  arg: Value;
  /** 'unknown' for crashed calls; a read's value; a cas's true/false; null for write/append. */
  out: Value | 'unknown';
  callPos: number;
  returnPos: number;
  completed: boolean;
}

const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);

function fOf(op: Op): BruteCall['f'] {
  const f = op.f.replace(/^:/, '');
  if (f === 'read' || f === 'get' || f === 'r') return 'read';
  if (f === 'write' || f === 'put' || f === 'w') return 'write';
  if (f === 'cas' || f === 'compare-and-set') return 'cas';
  if (f === 'append') return 'append';
  throw new Error(`brute oracle: unknown f ${op.f}`);
}

/** The states a call may leave when applied to `state`, or none when illegal there. */
function step(state: Value, c: BruteCall, o: BruteOptions): Value[] {
  switch (c.f) {
    case 'read':
      if (c.out === 'unknown') return [state];
      if (o.nilReadsAnything && c.out === null) return [state];
      return same(c.out, state) ? [state] : [];
    case 'write':
      return [c.arg];
    case 'append':
      if (state !== null && typeof state !== 'string') return [];
      return [`${(state as string | null) ?? ''}${String(c.arg)}`];
    case 'cas': {
      const [from, to] = c.arg as [Value, Value];
      const match = same(state, from);
      if (c.out === 'unknown') return [match ? to : state];
      if (c.out === true) return match ? [to] : [];
      return match ? [] : [state];
    }
  }
}

function search(calls: BruteCall[], o: BruteOptions): boolean {
  const n = calls.length;
  const failed = new Set<string>();
  const placed = new Uint8Array(n);
  const go = (count: number, state: Value): boolean => {
    let allDone = true;
    for (let i = 0; i < n; i++) if (!placed[i] && calls[i]!.completed) allDone = false;
    if (allDone) return true;
    const memo = `${Array.prototype.join.call(placed, '')}|${JSON.stringify(state)}`;
    if (failed.has(memo)) return false;
    // The earliest return of an unplaced completed call: nothing invoked after it may go next.
    let firstReturn = Infinity;
    for (let j = 0; j < n; j++) if (!placed[j] && calls[j]!.completed) firstReturn = Math.min(firstReturn, calls[j]!.returnPos);
    for (let i = 0; i < n; i++) {
      if (placed[i] || calls[i]!.callPos > firstReturn) continue;
      placed[i] = 1;
      for (const next of step(state, calls[i]!, o)) {
        if (go(count + 1, next)) {
          placed[i] = 0;
          return true;
        }
      }
      placed[i] = 0;
    }
    failed.add(memo);
    return false;
  };
  return go(0, o.initial ?? null);
}

/** Decodes the history into calls per key (one key '' unless kv). */
function callsByKey(history: readonly Op[], model: BruteModel, o: BruteOptions): Map<string, BruteCall[]> {
  const byKey = new Map<string, BruteCall[]>();
  const open = new Map<Op['process'], { op: Op; pos: number }>();
  const unwrap = (v: unknown): { key: string; v: unknown } =>
    model === 'kv' ? { key: JSON.stringify((v as unknown[])[0]), v: (v as unknown[])[1] ?? null } : { key: '', v };
  const add = (inv: Op, pos: number, done: Op | undefined, donePos: number): void => {
    const f = fOf(inv);
    const { key, v } = unwrap(inv.value);
    let out: Value | 'unknown' = 'unknown';
    if (done) {
      if (f === 'read') out = unwrap(done.value).v;
      else if (f === 'cas') out = done.type === 'ok';
      else out = null;
    }
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    list.push({ f, arg: v, out, callPos: pos, returnPos: done ? donePos : Infinity, completed: done !== undefined });
  };
  history.forEach((op, pos) => {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') return void open.set(op.process, { op, pos });
    const inv = open.get(op.process);
    if (!inv) return;
    open.delete(op.process);
    if (op.type === 'ok') add(inv.op, inv.pos, op, pos);
    else if (op.type === 'info') add(inv.op, inv.pos, undefined, pos);
    else if ((o.failMeansFalse ?? []).includes(op.f)) add(inv.op, inv.pos, op, pos);
  });
  for (const inv of open.values()) add(inv.op, inv.pos, undefined, Infinity);
  return byKey;
}

/** True when the history is linearizable (every key, for kv). Exponential: small histories only. */
export function bruteLinearizable(history: readonly Op[], model: BruteModel, o: BruteOptions = {}): boolean {
  return [...callsByKey(history, model, o).values()].every((calls) => search(calls, o));
}

/** Decoded calls per key, for tests that reason about which writes a read could observe. */
export function bruteCalls(history: readonly Op[], model: BruteModel, o: BruteOptions = {}): Map<string, (BruteCall & { index: number })[]> {
  const byKey = callsByKey(history, model, o);
  const out = new Map<string, (BruteCall & { index: number })[]>();
  for (const [k, calls] of byKey) out.set(k, calls.map((c) => ({ ...c, index: history[c.callPos]!.index })));
  return out;
}
