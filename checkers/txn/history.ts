// Transactions of a list-append history: pairing invokes with completions and reading micro-ops.
// A transaction op has `value` = a list of micro-ops `[f, key, v]`: `[append k x]` appends x to
// the list at k, `[r k l]` reads the whole list l (nil = empty). f may be a keyword (":append",
// ":r", as our EDN import keeps them) or a bare word. Ops of the nemesis and ops whose f is not a
// transaction are counted as skipped, never dropped silently.

import { UserError } from '../../src/core/errors.js';
import { NEMESIS, type Op } from '../../src/core/op.js';

/** A micro-op, kept as the op's own array `[f, key, value]` (no copy: millions of them). */
export type Mop = readonly [f: string, key: unknown, value: unknown];

/** Whether a micro-op is a read (`r` / `:r`); otherwise it is an append (checked when parsed). */
export function isRead(m: Mop): boolean {
  return m[0] === 'r' || m[0] === ':r';
}

export type TxnStatus = 'ok' | 'fail' | 'info';

export interface Txn {
  id: number;
  invoke: Op;
  completion?: Op;
  /** Positions of the invoke and completion in the history array (-1: none). */
  invokeAt: number;
  completeAt: number;
  /** ok: committed; fail: did not happen; info (or never completed): may have happened. */
  status: TxnStatus;
  mops: Mop[];
}

const TXN_FS = new Set(['txn', ':txn']);

function bare(f: unknown): string | undefined {
  if (typeof f !== 'string') return undefined;
  return f.startsWith(':') ? f.slice(1) : f;
}

function parseMops(op: Op, readsKnown: boolean): Mop[] {
  if (!Array.isArray(op.value)) throw new UserError(`op ${op.index}: a transaction's value must be a list of micro-ops like [[:append 1 2] [:r 1 nil]], got ${JSON.stringify(op.value)?.slice(0, 60)}`);
  const mops = op.value as unknown[];
  for (let i = 0; i < mops.length; i++) {
    const m = mops[i];
    if (!Array.isArray(m) || m.length !== 3) throw new UserError(`op ${op.index}: micro-op ${i} ${JSON.stringify(m)?.slice(0, 60)} is not [f key value]`);
    const f = bare(m[0]);
    if (f === 'append') continue;
    if (f === 'r') {
      const v = m[2];
      if (readsKnown && v !== null && !Array.isArray(v)) {
        throw new UserError(`op ${op.index}: micro-op ${i} reads ${JSON.stringify(v)?.slice(0, 40)} from key ${JSON.stringify(m[1])}; a list-append read is a list or nil`);
      }
      continue;
    }
    if (f === 'w') throw new UserError(`op ${op.index}: micro-op ${i} is a register write [w …]; only list-append histories ([append …] and [r …]) are supported`);
    throw new UserError(`op ${op.index}: micro-op ${i} has f ${JSON.stringify(m[0])}; expected r or append`);
  }
  return mops as Mop[];
}

export interface ParsedTxns {
  txns: Txn[];
  /** Client ops that are not transactions (nemesis ops excluded), by f. */
  skipped: Record<string, number>;
}

/** Pairs a history's transaction ops (invoke + completion by process) into transactions. */
export function parseTxns(history: readonly Op[]): ParsedTxns {
  const txns: Txn[] = [];
  const skipped: Record<string, number> = {};
  const open = new Map<Op['process'], Txn>();
  for (let at = 0; at < history.length; at++) {
    const op = history[at]!;
    if (op.process === NEMESIS) continue;
    if (!TXN_FS.has(op.f)) {
      if (op.type === 'invoke') skipped[op.f] = (skipped[op.f] ?? 0) + 1;
      continue;
    }
    if (op.type === 'invoke') {
      const t: Txn = { id: txns.length, invoke: op, invokeAt: at, completeAt: -1, status: 'info', mops: parseMops(op, false) };
      open.set(op.process, t);
      txns.push(t);
      continue;
    }
    const t = open.get(op.process);
    if (!t) throw new UserError(`op ${op.index}: a ${op.type} completion by process ${op.process} with no open invoke`);
    open.delete(op.process);
    t.completion = op;
    t.completeAt = at;
    t.status = op.type === 'ok' ? 'ok' : op.type === 'fail' ? 'fail' : 'info';
    if (op.type === 'ok') {
      t.mops = parseMops(op, true);
      const inv = t.invoke.value as unknown[];
      if (t.mops.length !== inv.length || t.mops.some((m, i) => bare(m[0]) !== bare((inv[i] as unknown[])[0]))) {
        throw new UserError(`op ${op.index}: the completed transaction's micro-ops differ from its invoke (op ${t.invoke.index})`);
      }
    }
  }
  return { txns, skipped };
}

/** A key or element as people read it: 5, "x", [1 2]. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'string') return v.startsWith(':') ? v : JSON.stringify(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The micro-ops of a transaction as text: [append 5 3] [r 5 [1 2 3]]. */
export function showMops(t: Txn): string {
  return t.mops.map((m) => `[${bare(m[0])} ${show(m[1])} ${isRead(m) && t.status !== 'ok' ? '?' : show(m[2])}]`).join(' ');
}

/** A Map key for a key or element: primitives as they are, anything else by its JSON. */
export function norm(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? `\u0000${JSON.stringify(v)}` : v;
}
