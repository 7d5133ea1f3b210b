// The replicated key-value state machine shared by every protocol: get, put, cas, append to a
// list value, delete. Deterministic (no clocks, no randomness, insertion-ordered snapshot), so
// every replica that applies the same commands in the same order holds the same state.

/** A command that changes (or, for get, reads) the state machine. Values are JSON. */
export type Command =
  | { op: 'get'; key: string }
  | { op: 'put'; key: string; value: unknown }
  | { op: 'cas'; key: string; from: unknown; to: unknown }
  | { op: 'append'; key: string; value: unknown }
  | { op: 'delete'; key: string };

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
