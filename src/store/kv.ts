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
  | { op: 'txn'; ops: MicroOp[] }
  // The lock service (README "Locks"): a lease with a fencing token, and a protected resource.
  // `now` is stamped by the node that proposes the acquire (its wall clock), so every replica
  // decides the same; `trusted` is set only by the lock-lease-clock bug (the token is not checked).
  | { op: 'lock-acquire'; key: string; holder: string; leaseMs: number; now?: number }
  | { op: 'lock-release'; key: string; token: number }
  | { op: 'lock-write'; key: string; token: number; value: unknown; expiresAt: number; trusted?: boolean };

/** The lock record at a lock key: who holds it (null when released), its fencing token, when the lease ends (ms, proposer's clock). */
export interface LockRecord {
  holder: string | null;
  token: number;
  expiresAt: number;
}

/** The protected resource at a resource key: the highest token it accepted and how many writes it accepted. */
export interface ResourceRecord {
  highest: number;
  accepted: number;
  last: unknown;
}

/** One step of a transaction: read a key, write (replace) it, or append to the list it holds. */
export type MicroOp = [f: 'r' | 'w' | 'append', key: string, value: unknown];

/** The most micro-ops one txn may hold (a bound on one log entry's size and apply time). */
export const MAX_TXN_OPS = 1000;

/** True when the command changes nothing: a get, or a txn of reads only (served like a read). */
export function isReadOnly(cmd: Command): boolean {
  return cmd.op === 'get' || (cmd.op === 'txn' && cmd.ops.every((m) => m[0] === 'r'));
}

/** What applying a command produced: a value, or a definite failure (nothing changed). */
export type ApplyResult = { ok: true; value: unknown } | { ok: false; error: 'cas-mismatch' | 'not-a-list' | 'lock-held' | 'not-holder' | 'stale-token' };

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
    if (cmd.op === 'lock-acquire' || cmd.op === 'lock-release' || cmd.op === 'lock-write') return this.lock(cmd, commit);
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

  /**
   * The lock service. acquire: granted when the lock is free (never held, released, or its lease
   * ran out at `now`), with the next fencing token (tokens only grow); else `lock-held`.
   * release: frees the lock if `token` is the current grant's, else `not-holder`. write: the
   * resource (key `<lock>/resource`) accepts a write unless its token is lower than the highest it
   * accepted (`stale-token`) — the fencing check that keeps two holders from both writing.
   */
  private lock(cmd: Extract<Command, { op: 'lock-acquire' | 'lock-release' | 'lock-write' }>, commit: boolean): ApplyResult {
    const rec = this.get(cmd.key) as LockRecord | null;
    switch (cmd.op) {
      case 'lock-acquire': {
        const now = cmd.now ?? 0;
        if (rec !== null && rec.holder !== null && rec.expiresAt > now) return { ok: false, error: 'lock-held' };
        const grant: LockRecord = { holder: cmd.holder, token: (rec?.token ?? 0) + 1, expiresAt: now + cmd.leaseMs };
        if (commit) this.data.set(cmd.key, grant);
        return { ok: true, value: { token: grant.token, expiresAt: grant.expiresAt } };
      }
      case 'lock-release':
        if (rec === null || rec.holder === null || rec.token !== cmd.token) return { ok: false, error: 'not-holder' };
        if (commit) this.data.set(cmd.key, { ...rec, holder: null });
        return { ok: true, value: cmd.token };
      case 'lock-write': {
        const key = `${cmd.key}/resource`;
        const res = (this.get(key) as ResourceRecord | null) ?? { highest: 0, accepted: 0, last: null };
        if (!cmd.trusted && cmd.token < res.highest) return { ok: false, error: 'stale-token' };
        if (commit) this.data.set(key, { highest: Math.max(res.highest, cmd.token), accepted: res.accepted + 1, last: cmd.value });
        return { ok: true, value: { token: cmd.token, value: cmd.value } };
      }
    }
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
    case 'lock-acquire':
      if (typeof r.holder !== 'string' || r.holder.length === 0) return 'lock-acquire needs a holder (a non-empty string)';
      return isCount(r.leaseMs) && (r.leaseMs as number) > 0 ? null : 'lock-acquire needs leaseMs (a positive integer)';
    case 'lock-release':
      return isCount(r.token) ? null : 'lock-release needs its token (an integer)';
    case 'lock-write':
      if (!isCount(r.token) || typeof r.expiresAt !== 'number') return 'lock-write needs token (an integer) and expiresAt (ms)';
      return 'value' in r ? null : 'lock-write needs a value';
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

const isCount = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
