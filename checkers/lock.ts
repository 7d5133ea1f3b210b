// The lock checker: a lock service with leases and fencing tokens (Chubby's sequencers; the
// ZooKeeper lock recipe with zxid tokens; Kleppmann's "How to do distributed locking"). Safety is
// judged where it matters — at the protected resource — in real time:
//   - token-duplicate: two successful acquires were granted the same fencing token;
//   - token-order: an acquire that began after another had completed got a token not greater than it;
//   - stale-write: the resource accepted a write with token t after it had already accepted (the
//     write completed before this one was invoked) a write with a greater token — two holders
//     at once as the resource saw it; tokens accepted out of order.
// Optionally also the mutex model's linearizability of acquire/release (only meaningful without
// lease expiry: an expired lease lets a new acquire succeed with no release).
// Hand-written: sweeps over the history in its (real-time) order, O(n log n).
//
// Ops: {f: 'acquire'} → ok value: the token (a number, or {token: n});
//      {f: 'release', value: token};
//      {f: 'write', value: {token: n, …} or n} → ok: the resource accepted it; fail: rejected
//      (the token may instead be in the ok completion's value, for clients that fill in the one they hold).

import type { Op } from '../src/core/op.js';
import { NEMESIS } from '../src/core/op.js';
import type { CheckOptions, CheckResult, Validity } from '../src/core/validity.js';
import { mergeValidity } from '../src/core/validity.js';
import { UserError } from '../src/core/errors.js';
import { checkLinearizableSync, type LinearizabilityResult } from './linearizable.js';
import { mutexModel } from './models/mutex.js';

export interface LockOptions extends CheckOptions {
  /** Also check acquire/release against the mutex model (default false: leases may expire). */
  mutex?: boolean;
}

export type LockErrorKind = 'token-duplicate' | 'token-order' | 'stale-write';

export interface LockError {
  kind: LockErrorKind;
  /** Completion indexes of the two ops involved: the earlier, then the offending one. */
  ops: [number, number];
  tokens: [number, number];
  text: string;
}

export interface LockResult extends CheckResult {
  valid: Validity;
  acquires: { ok: number; fail: number; info: number };
  writes: { accepted: number; rejected: number; info: number };
  errors: LockError[];
  counts: Partial<Record<LockErrorKind, number>>;
  mutex?: Pick<LinearizabilityResult, 'valid' | 'failure'>;
  unknownReasons: string[];
}

const bare = (f: string): string => (f.startsWith(':') ? f.slice(1) : f);

function tokenOf(v: unknown, op: Op, what: string): number {
  const t = v !== null && typeof v === 'object' && !Array.isArray(v) ? ((v as Record<string, unknown>)['token'] ?? (v as Record<string, unknown>)[':token']) : v;
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new UserError(`op ${op.index}: ${what} needs a numeric fencing token, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return t;
}

function hasToken(v: unknown): boolean {
  if (typeof v === 'number') return true;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const t = (v as Record<string, unknown>)['token'] ?? (v as Record<string, unknown>)[':token'];
  return typeof t === 'number';
}

interface Done {
  token: number;
  invoke: number;
  complete: number;
  process: Op['process'];
}

export function checkLock(history: readonly Op[], options: LockOptions = {}): LockResult {
  const acquires = { ok: 0, fail: 0, info: 0 };
  const writes = { accepted: 0, rejected: 0, info: 0 };
  const granted: Done[] = [];
  const accepted: Done[] = [];
  const open = new Map<Op['process'], Op>();
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    const f = bare(op.f);
    if (f !== 'acquire' && f !== 'write' && f !== 'release') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op);
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (!inv) continue;
    if (f === 'acquire') {
      if (op.type === 'ok') {
        acquires.ok++;
        granted.push({ token: tokenOf(op.value, op, 'a successful acquire'), invoke: inv.index, complete: op.index, process: op.process });
      } else if (op.type === 'fail') acquires.fail++;
      else acquires.info++;
    } else if (f === 'write') {
      if (op.type === 'ok') {
        writes.accepted++;
        // The token is the invocation's, or — when the client fills in the token it holds — the completion's.
        const withToken = hasToken(op.value) ? op : inv;
        accepted.push({ token: tokenOf(withToken.value, withToken, 'a write to the resource'), invoke: inv.index, complete: op.index, process: op.process });
      } else if (op.type === 'fail') writes.rejected++;
      else writes.info++;
    }
  }
  for (const inv of open.values()) {
    const f = bare(inv.f);
    if (f === 'acquire') acquires.info++;
    else if (f === 'write') writes.info++;
  }

  const errors: LockError[] = [];
  const counts: Partial<Record<LockErrorKind, number>> = {};
  const err = (kind: LockErrorKind, a: Done, b: Done, text: string) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (errors.length < 50) errors.push({ kind, ops: [a.complete, b.complete], tokens: [a.token, b.token], text });
  };
  const seen = new Map<number, Done>();
  for (const g of granted) {
    const prev = seen.get(g.token);
    if (prev) err('token-duplicate', prev, g, `acquires by process ${prev.process} (op ${prev.complete}) and process ${g.process} (op ${g.complete}) were both granted token ${g.token}`);
    else seen.set(g.token, g);
  }
  realTimeOrder(granted, (a, b) => b.token <= a.token, (a, b) =>
    err('token-order', a, b, `process ${b.process}'s acquire (invoked at op ${b.invoke}) got token ${b.token}, though process ${a.process}'s acquire had already completed (op ${a.complete}) with token ${a.token}`));
  realTimeOrder(accepted, (a, b) => b.token < a.token, (a, b) =>
    err('stale-write', a, b, `the resource accepted process ${b.process}'s write with token ${b.token} (op ${b.complete}) after it had accepted process ${a.process}'s write with the newer token ${a.token} (op ${a.complete}): two holders at once`));

  let mutex: LockResult['mutex'];
  if (options.mutex) {
    const ops = history.filter((op) => op.process !== NEMESIS && (bare(op.f) === 'acquire' || bare(op.f) === 'release'));
    const r = checkLinearizableSync(ops, mutexModel(), options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {});
    mutex = { valid: r.valid, ...(r.failure ? { failure: r.failure } : {}) };
  }
  const unknownReasons: string[] = [];
  if (writes.accepted === 0 && granted.length === 0) unknownReasons.push('no successful acquire or accepted write to check');
  if (mutex?.valid === 'unknown') unknownReasons.push('the mutex linearizability check ran out of budget');
  const own: Validity = errors.length > 0 ? false : unknownReasons.length > 0 ? 'unknown' : true;
  return { valid: mergeValidity(own, mutex?.valid ?? true), acquires, writes, errors, counts, ...(mutex ? { mutex } : {}), unknownReasons };
}

/**
 * For every pair a, b where a completed before b was invoked and bad(a, b): report(a, b) — once
 * per b, against the completed op with the greatest token (the strongest witness). Sweep in
 * history order keeping the greatest token among completed ops.
 */
function realTimeOrder(done: Done[], bad: (a: Done, b: Done) => boolean, report: (a: Done, b: Done) => void): void {
  const events: [number, 0 | 1, Done][] = [];
  for (const d of done) events.push([d.invoke, 1, d], [d.complete, 0, d]);
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let best: Done | undefined;
  const atInvoke = new Map<Done, Done | undefined>();
  for (const [, kind, d] of events) {
    if (kind === 1) atInvoke.set(d, best);
    else if (!best || d.token > best.token) best = d;
  }
  for (const d of done) {
    const a = atInvoke.get(d);
    if (a && a !== d && bad(a, d)) report(a, d);
  }
}

export function lockChecker(defaults: LockOptions = {}): { check(history: readonly Op[], opts: CheckOptions): Promise<LockResult> } {
  return { async check(history, opts) { return checkLock(history, { ...defaults, ...opts }); } };
}
