// The lock checker: a lock service with leases and fencing tokens (Chubby's sequencers; the
// ZooKeeper lock recipe with zxid tokens; Kleppmann's "How to do distributed locking"). Safety is
// judged where it matters — at the protected resource — in real time:
//   - token-duplicate: two successful acquires were granted the same fencing token;
//   - token-order: an acquire that began after another had completed got a token not greater than it;
//   - stale-write: the resource accepted a write with token t after it had already accepted (the
//     write completed before this one was invoked) a write with a greater token — two holders
//     at once as the resource saw it; tokens accepted out of order.
// And (on by default, `mutex: false` to skip) the linearizability of acquire/release against the
// lease-aware mutex (checkers/models/lease-mutex.ts: a grant over a held lock only once the
// holder's lease could have run out, tokens growing, a release freeing only its own grant):
//   - double-grant: process B was granted the lock while process A held it, A's lease could not
//     have run out by B's grant (B's acquire completed less than A's lease, minus the clock
//     tolerance, after A's acquire was invoked) and no release of A's grant could have come
//     between — two holders at once as the lock service saw it (found by a sweep, O(n log n));
//   - mutex: acquire/release are not linearizable for another reason (found by the search; the
//     text is the search's explanation).
// The lease of each grant is the acquire's own `leaseMs` (its invoke value), else `leaseMs` here
// (`faultline check --workload lock --lease-ms`), else unknown (0: only tokens and releases are
// checked). The clock tolerance is `clockSkewMs` (default 25 ms) plus the spread of the clock
// offsets the clock nemesis recorded in the history (unbounded when a clock fault's offsets are
// not recorded: leases are then not relied on).
// Hand-written sweeps over the history in its (real-time) order, O(n log n), plus the search.
//
// Ops: {f: 'acquire', value: {leaseMs}?} → ok value: the token (a number, or {token: n});
//      {f: 'release', value: token} (or the token in the ok completion's value);
//      {f: 'write', value: {token: n, …} or n} → ok: the resource accepted it; fail: rejected
//      (the token may instead be in the ok completion's value, for clients that fill in the one they hold).

import type { Op } from '../src/core/op.js';
import { NEMESIS } from '../src/core/op.js';
import type { CheckOptions, CheckResult, Validity } from '../src/core/validity.js';
import { mergeValidity } from '../src/core/validity.js';
import { UserError } from '../src/core/errors.js';
import { checkLinearizableSync, type LinearizabilityResult } from './linearizable.js';
import { humanTime } from './explain.js';
import { leaseIn, leaseMutexModel, tokenIn } from './models/lease-mutex.js';

export interface LockOptions extends CheckOptions {
  /** Also check acquire/release against the lease-aware mutex model (default true). */
  mutex?: boolean;
  /** Lease (ms) of an acquire whose value carries no `leaseMs` (default: unknown, leases not relied on). */
  leaseMs?: number;
  /** How far the nodes' clocks may disagree with the harness's clock without a clock fault (ms, default 25). */
  clockSkewMs?: number;
}

/** Base clock tolerance of the lease-aware mutex check (ms): see checkers/models/lease-mutex.ts. */
export const DEFAULT_CLOCK_SKEW_MS = 25;

export type LockErrorKind = 'token-duplicate' | 'token-order' | 'stale-write' | 'double-grant' | 'mutex';

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
  /** The lease-aware mutex check: its verdict, the tolerance it allowed, and where leases came from. */
  mutex?: Pick<LinearizabilityResult, 'valid' | 'failure'> & {
    toleranceMs: number;
    clockSkewMs: number;
    /** Spread of the recorded clock-fault offsets (ms; null: a clock fault's offsets are not recorded). */
    clockSpreadMs: number | null;
    /** Acquires whose lease came from their own value, from the `leaseMs` option, or is unknown. */
    leases: { fromOps: number; fromOption: number; unknown: number };
  };
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
  if (options.mutex !== false) {
    const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    const spread = clockSpreadMs(history);
    const toleranceMs = spread === null ? Infinity : clockSkewMs + spread;
    const ops = history.filter((op) => op.process !== NEMESIS && (bare(op.f) === 'acquire' || bare(op.f) === 'release'));
    const leases = { fromOps: 0, fromOption: 0, unknown: 0 };
    for (const op of ops) {
      if (op.type !== 'invoke' || bare(op.f) !== 'acquire') continue;
      if (leaseIn(op.value) !== undefined) leases.fromOps++;
      else if (options.leaseMs !== undefined) leases.fromOption++;
      else leases.unknown++;
    }
    const model = leaseMutexModel({ toleranceMs, ...(options.leaseMs !== undefined ? { defaultLeaseMs: options.leaseMs } : {}) });
    const searched = forSearch(ops, Number.isFinite(toleranceMs) ? toleranceMs : 0, Number.isFinite(toleranceMs) ? options.leaseMs : 0);
    const r = checkLinearizableSync(searched, model, options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {});
    mutex = { valid: r.valid, ...(r.failure ? { failure: r.failure } : {}), toleranceMs, clockSkewMs, clockSpreadMs: spread, leases };
    const doubles = Number.isFinite(toleranceMs) ? doubleGrants(ops, toleranceMs, options.leaseMs) : [];
    for (const d of doubles) err('double-grant', d.a, d.b, d.text);
    if (doubles.length > 0) mutex.valid = false;
    // Tokens out of order or granted twice are already explained by token-order / token-duplicate.
    else if (r.valid === false && !counts['token-order'] && !counts['token-duplicate']) {
      const e = r.failure?.explanation;
      const died = e?.diedAt ? `; every linearization died at op ${e.diedAt.index} (process ${String(e.diedAt.process)}: ${e.diedAt.description}, invoked t=${humanTime(e.diedAt.invokedAtNs)})` : '';
      const at = e?.diedAt?.index ?? 0;
      const none: Done = { token: NaN, invoke: at, complete: at, process: e?.diedAt?.process ?? 0 };
      err('mutex', none, none, `acquire/release are not linearizable as a lease-aware mutex (clock tolerance ${toleranceMs} ms)${died}: ${e?.text ?? 'no explanation'}`);
    }
  }
  const unknownReasons: string[] = [];
  if (writes.accepted === 0 && granted.length === 0) unknownReasons.push('no successful acquire or accepted write to check');
  if (mutex?.valid === 'unknown') unknownReasons.push('the lease-aware mutex linearizability check ran out of budget');
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

const CLOCK_FS = new Set(['bump-clock', 'strobe-clock', 'reset-clock']);

/**
 * The spread (ms) between the most-ahead and the most-behind clock offset the clock nemesis
 * recorded (0 included: an unskewed node), 0 when the history has no clock fault, or null when a
 * clock fault's offsets are not recorded (a bump whose completion lacks them): then nothing bounds
 * the skew. Offsets are taken over the whole run (libfaketime may apply an offset late).
 */
export function clockSpreadMs(history: readonly Op[]): number | null {
  let lo = 0;
  let hi = 0;
  const see = (x: unknown): boolean => {
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
    return true;
  };
  const pending = new Set<string>();
  for (const op of history) {
    if (op.process !== NEMESIS) continue;
    const f = bare(op.f);
    if (!CLOCK_FS.has(f) || f === 'reset-clock') continue;
    if (op.type === 'invoke') {
      pending.add(f);
      continue;
    }
    pending.delete(f);
    const offsets = (op.value as { offsetsMs?: unknown } | null)?.offsetsMs;
    const values = Array.isArray(offsets) ? offsets : offsets !== null && typeof offsets === 'object' ? Object.values(offsets) : [];
    if (values.length === 0 || !values.every(see)) return null;
  }
  return pending.size > 0 ? null : hi - lo;
}

/**
 * The acquire/release ops the search needs, in the same order (a reduction that changes no
 * verdict, so long histories with many crashed ops stay cheap):
 *  - crashed acquires whose lease is at least the tolerance are left out (they never help:
 *    lease-mutex.ts, crashedIsIrrelevant — applied here because the search's own pruning gives up
 *    above a work limit);
 *  - a release that names no token (crashed, or a client that does not say) may free only a grant
 *    whose acquire completed before it was invoked; of those, only the one with the greatest
 *    token can still hold the lock when it takes effect (it linearizes after every one of them,
 *    and tokens grow), so it is given that token (a crashed one that no grant precedes is left out).
 */
function forSearch(ops: readonly Op[], toleranceMs: number, defaultLeaseMs: number | undefined): Op[] {
  const drop = new Set<Op>();
  const named = new Map<Op, Op>();
  const open = new Map<Op['process'], Op>();
  let greatest: number | undefined;
  const settle = (inv: Op, completion: Op | undefined) => {
    const crashed = !completion || completion.type === 'info';
    if (bare(inv.f) === 'acquire') {
      if (crashed && (leaseIn(inv.value) ?? defaultLeaseMs ?? 0) >= toleranceMs) {
        drop.add(inv);
        if (completion) drop.add(completion);
      }
      return;
    }
    if (completion?.type === 'fail' || tokenIn(inv.value) !== undefined || (completion?.type === 'ok' && tokenIn(completion.value) !== undefined)) return;
    const m = greatestAt.get(inv);
    if (m !== undefined) named.set(inv, { ...inv, value: { token: m } });
    else if (crashed) {
      drop.add(inv);
      if (completion) drop.add(completion);
    }
  };
  const greatestAt = new Map<Op, number | undefined>();
  for (const op of ops) {
    if (op.type === 'invoke') {
      open.set(op.process, op);
      if (bare(op.f) === 'release') greatestAt.set(op, greatest);
      continue;
    }
    const inv = open.get(op.process);
    open.delete(op.process);
    if (!inv) continue;
    if (bare(inv.f) === 'acquire' && op.type === 'ok') {
      const t = tokenIn(op.value);
      if (t !== undefined && (greatest === undefined || t > greatest)) greatest = t;
    }
    settle(inv, op);
  }
  for (const inv of open.values()) settle(inv, undefined);
  return ops.filter((op) => !drop.has(op)).map((op) => named.get(op) ?? op);
}

interface Grant extends Done {
  invokeNs: number;
  completeNs: number;
  leaseMs: number;
}

/**
 * Two holders at once, found without search: consecutive grants (by token, which the model
 * orders) a then b such that b's acquire completed before a's lease could have run out (a's
 * invoke + lease − tolerance) and no release of a's grant could come between (an ok release of
 * a's token invoked before b completed; a release naming no token invoked after a completed and
 * before b completed). Sound for the model whenever every crashed acquire's lease is at least the
 * tolerance (such acquires cannot help, see lease-mutex.ts); otherwise it reports nothing.
 */
function doubleGrants(ops: readonly Op[], toleranceMs: number, defaultLeaseMs: number | undefined): { a: Done; b: Done; text: string }[] {
  const open = new Map<Op['process'], Op>();
  const grants: Grant[] = [];
  const named = new Map<number, number>(); // token → earliest invoke (history index) of a release naming it
  const unnamed: number[] = []; // invoke indexes of releases naming no token
  let crashedShortLease = false;
  const leaseOf = (inv: Op) => leaseIn(inv.value) ?? defaultLeaseMs ?? 0;
  const done = (inv: Op, completion: Op | undefined) => {
    const f = bare(inv.f);
    if (completion?.type === 'fail') return;
    if (f === 'acquire') {
      if (!completion || completion.type === 'info') {
        if (leaseOf(inv) < toleranceMs) crashedShortLease = true;
        return;
      }
      const token = tokenIn(completion.value)!;
      grants.push({ token, invoke: inv.index, complete: completion.index, process: inv.process, invokeNs: inv.timeNs, completeNs: completion.timeNs, leaseMs: leaseOf(inv) });
      return;
    }
    const token = (completion?.type === 'ok' ? tokenIn(completion.value) : undefined) ?? tokenIn(inv.value);
    if (token === undefined) unnamed.push(inv.index);
    else named.set(token, Math.min(named.get(token) ?? Infinity, inv.index));
  };
  for (const op of ops) {
    if (op.type === 'invoke') open.set(op.process, op);
    else {
      const inv = open.get(op.process);
      open.delete(op.process);
      if (inv) done(inv, op);
    }
  }
  for (const inv of open.values()) done(inv, undefined);
  if (crashedShortLease) return [];
  grants.sort((x, y) => x.token - y.token);
  unnamed.sort((x, y) => x - y);
  const unnamedIn = (from: number, to: number): boolean => {
    // any unnamed release invoked in (from, to)?
    let lo = 0;
    let hi = unnamed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unnamed[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < unnamed.length && unnamed[lo]! < to;
  };
  const out: { a: Done; b: Done; text: string }[] = [];
  for (let i = 1; i < grants.length; i++) {
    const a = grants[i - 1]!;
    const b = grants[i]!;
    if (b.token === a.token || b.completeNs < a.invokeNs) continue; // token-duplicate / token-order say it
    const gapMs = (b.completeNs - a.invokeNs) / 1e6;
    if (gapMs >= a.leaseMs - toleranceMs) continue; // a's lease could have run out
    if ((named.get(a.token) ?? Infinity) < b.complete) continue; // a's release could come first
    if (unnamedIn(a.complete, b.complete)) continue; // so could a release naming no token
    out.push({
      a,
      b,
      text:
        `process ${String(b.process)} was granted the lock with token ${b.token} (its acquire, op ${b.invoke}, completed at t=${humanTime(b.completeNs)}) ` +
        `while process ${String(a.process)} still held it with token ${a.token} (its acquire, op ${a.invoke}, was invoked at t=${humanTime(a.invokeNs)} for a lease of ${a.leaseMs} ms): ` +
        `only ${humanTime(b.completeNs - a.invokeNs)} apart, so process ${String(a.process)}'s lease could not have run out (${a.leaseMs} ms less the ${toleranceMs} ms clock tolerance), ` +
        `and no release of token ${a.token} could have come between — two holders at once`,
    });
  }
  return out;
}

export function lockChecker(defaults: LockOptions = {}): { check(history: readonly Op[], opts: CheckOptions): Promise<LockResult> } {
  return { async check(history, opts) { return checkLock(history, { ...defaults, ...opts }); } };
}
