// The replicated key-value state machine shared by every protocol: get, put, cas, append to a
// list value, delete, and txn (a list of micro-ops [f, key, value], f in r | w | append, applied
// all or nothing; its reads see its own earlier writes). Deterministic (no clocks, no randomness, insertion-ordered snapshot), so
// every replica that applies the same commands in the same order holds the same state.

/** A command that changes (or, for get, reads) the state machine. Values are JSON. */
export type Command =
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: unknown }
  | { op: 'cas'; key: string; from: unknown; to: unknown }
  | { op: 'append'; key: string; value: unknown }
  | { op: 'delete'; key: string }
  | { op: 'txn'; ops: MicroOp[] };

/** One step of a transaction: read a key, write (replace) it, or append to the list it holds. */
export type MicroOp = [f: 'r' | 'w' | 'append', key: string, value: unknown];

/** The most micro-ops one txn may hold (a bound on one log entry's size and apply time). */
export const MAX_TXN_OPS = 1000;

/** True when the command changes nothing: a get, or a txn of reads only (served like a read). */
export function isReadOnly(cmd: Command): boolean {
  return cmd.op === 'get' || (cmd.op === 'txn' && cmd.ops.every((m) => m[0] === 'r'));
}

/** What applying a command produced: a value, or a definite failure (nothing changed). */
export type ApplyResult = { ok: true; value: unknown } | { ok: false; error: 'cas-mismatch' | 'not-a-list' };

export const WRITE_OPS: ReadonlySet<string> = new Set(['put', 'cas', 'append', 'delete']);

/** Structural equality of two JSON values (object key order ignored), used by cas. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}

export class KvStore {
  private data = new Map<string, unknown>();

  /** Reads a key; null when absent. */
  get(key: string): unknown {
    return this.data.has(key) ? this.data.get(key) : null;
  }

  /** Applies one command; mutates only on success. */
  apply(cmd: Command): ApplyResult {
    return this.evaluate(cmd, true);
  }

  /** What apply would return right now, without changing anything (used by the early-ack bug). */
  preview(cmd: Command): ApplyResult {
    return this.evaluate(cmd, false);
  }

  private evaluate(cmd: Command, commit: boolean): ApplyResult {
    if (cmd.op === 'txn') return this.txn(cmd.ops, commit);
    const current = this.get(cmd.key);
    switch (cmd.op) {
      case 'get':
        return { ok: true, value: current };
      case 'put':
        if (commit) this.data.set(cmd.key, cmd.value);
        return { ok: true, value: null };
      case 'delete':
        if (commit) this.data.delete(cmd.key);
        return { ok: true, value: null };
      case 'cas':
        if (!jsonEqual(current, cmd.from)) return { ok: false, error: 'cas-mismatch' };
        if (commit) this.data.set(cmd.key, cmd.to);
        return { ok: true, value: null };
      case 'append': {
        if (current !== null && !Array.isArray(current)) return { ok: false, error: 'not-a-list' };
        const list = [...((current as unknown[] | null) ?? []), cmd.value];
        if (commit) this.data.set(cmd.key, list);
        return { ok: true, value: list };
      }
    }
  }

  /**
   * A transaction: the micro-ops in order over a private overlay, so its reads see its own
   * writes; the overlay is written back only if every micro-op succeeded (an append to a
   * non-list fails the whole txn, changing nothing). The value: the micro-ops with reads filled in.
   */
  private txn(ops: readonly MicroOp[], commit: boolean): ApplyResult {
    const overlay = new Map<string, unknown>();
    const current = (k: string) => (overlay.has(k) ? overlay.get(k) : this.get(k));
    const out: MicroOp[] = [];
    for (const [f, k, v] of ops) {
      if (f === 'r') out.push(['r', k, current(k)]);
      else if (f === 'w') {
        overlay.set(k, v);
        out.push(['w', k, v]);
      } else {
        const list = current(k);
        if (list !== null && !Array.isArray(list)) return { ok: false, error: 'not-a-list' };
        overlay.set(k, [...((list as unknown[] | null) ?? []), v]);
        out.push(['append', k, v]);
      }
    }
    if (commit) for (const [k, v] of overlay) this.data.set(k, v);
    return { ok: true, value: out };
  }

  /** A JSON-able copy of the whole state (entries in insertion order). */
  snapshot(): Array<[string, unknown]> {
    return [...this.data.entries()];
  }

  /** Replaces the whole state with a snapshot. */
  restore(entries: Array<[string, unknown]>): void {
    this.data = new Map(entries);
  }

  get size(): number {
    return this.data.size;
  }
}

/** Checks that an untrusted value is a well-formed Command; returns an error text or null. */
export function commandError(c: unknown): string | null {
  if (typeof c !== 'object' || c === null) return 'request must be an object';
  const r = c as Record<string, unknown>;
  if (r.op === 'txn') return txnError(r.ops);
  if (typeof r.key !== 'string' || r.key.length === 0) return 'key must be a non-empty string';
  switch (r.op) {
    case 'get':
    case 'delete':
      return null;
    case 'put':
    case 'append':
      return 'value' in r ? null : `${r.op} needs a value`;
    case 'cas':
      return 'from' in r && 'to' in r ? null : 'cas needs from and to';
    default:
      return `unknown op ${JSON.stringify(r.op)}`;
  }
}

function txnError(ops: unknown): string | null {
  if (!Array.isArray(ops) || ops.length === 0) return 'txn needs ops: a non-empty array of [f, key, value]';
  if (ops.length > MAX_TXN_OPS) return `txn has ${ops.length} ops (at most ${MAX_TXN_OPS})`;
  for (const [i, m] of ops.entries()) {
    if (!Array.isArray(m) || m.length < 2 || m.length > 3) return `txn op ${i} must be [f, key, value]`;
    if (m[0] !== 'r' && m[0] !== 'w' && m[0] !== 'append') return `txn op ${i}: unknown f ${JSON.stringify(m[0])} (r, w or append)`;
    if (typeof m[1] !== 'string' || m[1].length === 0) return `txn op ${i}: key must be a non-empty string`;
    if (m[0] !== 'r' && m.length !== 3) return `txn op ${i}: ${m[0]} needs a value`;
  }
  return null;
}
