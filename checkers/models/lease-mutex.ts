// A lease-aware mutex with fencing tokens: the sequential specification of the bundled store's lock
// service (src/store/kv.ts, README "Locks") that the lock checker (checkers/lock.ts) checks
// acquire/release histories against, by the linearizability search.
//
// The service. acquire(leaseMs) is granted when the lock is free (never held, or released) or the
// holder's lease has run out — judged by the wall clock `now` of the node that proposes the
// acquire, stamped into the log entry: granted iff now ≥ holder's now + holder's leaseMs — with
// the next fencing token (tokens only grow). release(token) frees the lock iff `token` is the
// current grant's (expired or not); otherwise the service answers not-holder (a fail: no effect).
//
// What the model may assume about time. A grant's stamp is read by a node between the acquire's
// invoke and its completion (the harness records the invoke before sending and the completion
// after the answer; a crashed acquire's stamp is anywhere after its invoke). The nodes' clocks
// agree with the harness's (monotonic) clock to within a tolerance `toleranceMs` = the spread
// between the most-ahead and most-behind clock offset in effect (the clock nemesis's recorded
// offsets; 0 without clock faults) + a base skew (default 25 ms: Date.now's millisecond floor,
// wall vs monotonic clock rate, timer jitter; an explicit option). So when B takes the lock over
// from A by expiry (no release between):
//     p_B ≥ p_A + lease_A − toleranceMs, with p_X the real time of X's stamp, p_X ∈ [invoke_X, complete_X].
// The model keeps a lower bound `sinceMs` of the holder's p (its invoke, or, when it took the lock
// over by expiry, the previous holder's bound + lease − tolerance if later) and allows B's grant
// over a held lock only if complete_B ≥ sinceMs + lease − toleranceMs. That is a relaxation of the
// real constraints (it forgets upper bounds), so it never calls a history of the correct service
// invalid; and it catches two holders at once whose leases could not have run out.
//
// Tokens: a grant's token must be greater than every earlier grant's (in linearization order).
// A crashed acquire may take effect; its token is unknown, so it leaves the greatest known token
// as it was, and its grant can only expire: no client learned its token, so no release names it.
// Releases: an ok release names its token (the completion's value, else the invoke's) and frees
// only that grant; a release whose token the history does not say (a crashed one; a client that
// fills in the token it holds) may free a grant only if that grant's acquire completed before the
// release was invoked (its client could have learned the token; "before" in history order). Failed acquires and releases did
// nothing (Jepsen: fail = did not happen) and are not part of the search.
//
// Times are milliseconds (floats) on the harness's clock, from the ops' timeNs; the lease is the
// acquire's own `leaseMs` (its invoke value), else the checker's default, else 0 (unknown: the
// lease may run out at once, so only tokens and releases are checked).

import { UNKNOWN_OUTPUT, UnsupportedOpError, type MaybeOutput, type Model, type PlacedCall } from '../model.js';
import { bareKeyword } from '../values.js';
import type { Op } from '../../src/core/op.js';

export type LeaseMutexInput =
  | { f: 'acquire'; invokeMs: number; /** Infinity when crashed. */ completeMs: number; leaseMs: number; /** The completion's history index (Infinity when crashed). */ completeAt: number }
  | { f: 'release'; invokeMs: number; /** The invoke's history index. */ invokeAt: number; /** null when the history does not say which grant it released. */ token: number | null };

/** acquire: the granted token; release: null. */
export type LeaseMutexOutput = number | null;

export interface LeaseMutexState {
  held: boolean;
  /** The holder's fencing token; null when held by a crashed acquire (token unknown). */
  token: number | null;
  /** Lower bound of the real time the holder's grant was stamped (ms, harness clock). */
  sinceMs: number;
  leaseMs: number;
  /** The history index of the holder's acquire's completion (Infinity: crashed). */
  doneAt: number;
  /** The greatest token granted so far (-Infinity: none). */
  last: number;
}

export interface LeaseMutexOptions {
  /** How far node clocks may disagree with the harness's clock, all sources together (ms, ≥ 0). */
  toleranceMs: number;
  /** Lease of an acquire whose value carries no `leaseMs` (default 0: may run out at once). */
  defaultLeaseMs?: number;
  /** Treat every lease as able to run out at once (an unbounded tolerance): only tokens and releases are checked. */
  ignoreLeases?: boolean;
}

const NS_PER_MS = 1e6;

function field(v: unknown, name: string): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  return r[name] ?? r[`:${name}`];
}

/** A fencing token: a number, or {token: n}; undefined when there is none. */
export function tokenIn(v: unknown): number | undefined {
  const t = typeof v === 'number' ? v : field(v, 'token');
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
}

/** The lease an acquire asked for (its invoke value's leaseMs), or undefined. */
export function leaseIn(v: unknown): number | undefined {
  const l = field(v, 'leaseMs') ?? field(v, 'lease-ms');
  return typeof l === 'number' && Number.isFinite(l) && l >= 0 ? l : undefined;
}

function free(last: number): LeaseMutexState {
  return { held: false, token: null, sinceMs: 0, leaseMs: 0, doneAt: 0, last };
}

function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'never';
}

export function leaseMutexModel(options: LeaseMutexOptions): Model<LeaseMutexState, LeaseMutexInput, LeaseMutexOutput> {
  const ignoreLeases = options.ignoreLeases === true || options.toleranceMs === Infinity;
  const tol = ignoreLeases ? 0 : options.toleranceMs;
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`toleranceMs must be a number ≥ 0, got ${tol}`);
  const defaultLeaseMs = options.defaultLeaseMs ?? 0;
  return {
    name: 'lease-mutex',
    fs: ['acquire', 'release'],
    init: () => free(-Infinity),
    step(s, input, output) {
      if (input.f === 'acquire') {
        const token = output === UNKNOWN_OUTPUT ? null : (output as number);
        if (token !== null && token <= s.last) return [];
        let sinceMs = input.invokeMs;
        if (s.held) {
          // Taking over by expiry: the holder's lease must have been able to run out by our stamp.
          const expiryMs = s.sinceMs + s.leaseMs - tol;
          if (input.completeMs < expiryMs) return [];
          sinceMs = Math.max(sinceMs, expiryMs);
        }
        return [{ held: true, token, sinceMs, leaseMs: input.leaseMs, doneAt: input.completeAt, last: token ?? s.last }];
      }
      if (!s.held || s.token === null) return [];
      const frees = input.token !== null ? s.token === input.token : s.doneAt < input.invokeAt;
      return frees ? [free(s.last)] : [];
    },
    equal: (a, b) =>
      a.held === b.held && a.token === b.token && a.sinceMs === b.sinceMs && a.leaseMs === b.leaseMs && a.doneAt === b.doneAt && a.last === b.last,
    hash(s) {
      let h = s.held ? 0x68e31da4 : 0x1b56c4e9;
      for (const x of [s.token ?? -1, s.sinceMs, s.leaseMs, s.doneAt, s.last]) {
        const v = Number.isFinite(x) ? Math.floor(x * 1000) : x > 0 ? 0x7fffffff : -0x7fffffff;
        h = Math.imul(h ^ (v | 0) ^ Math.floor(v / 4294967296), 0x9e3779b1) >>> 0;
      }
      return h;
    },
    decode(invoke: Op, completion: Op | undefined) {
      const f = bareKeyword(invoke.f);
      const invokeMs = invoke.timeNs / NS_PER_MS;
      if (f === 'acquire') {
        const leaseMs = ignoreLeases ? 0 : (leaseIn(invoke.value) ?? defaultLeaseMs);
        if (!completion) return { input: { f, invokeMs, completeMs: Infinity, leaseMs, completeAt: Infinity }, output: UNKNOWN_OUTPUT };
        const token = tokenIn(completion.value);
        if (token === undefined) throw new UnsupportedOpError(completion, 'lease-mutex', 'a successful acquire needs its fencing token (a number or {token})');
        return { input: { f, invokeMs, completeMs: completion.timeNs / NS_PER_MS, leaseMs, completeAt: completion.index }, output: token };
      }
      if (f === 'release') {
        const token = (completion ? tokenIn(completion.value) : undefined) ?? tokenIn(invoke.value) ?? null;
        return { input: { f, invokeMs, invokeAt: invoke.index, token }, output: completion ? null : UNKNOWN_OUTPUT };
      }
      throw new UnsupportedOpError(invoke, 'lease-mutex', 'f must be one of acquire, release');
    },
    /**
     * A crashed acquire whose lease is at least the tolerance never helps: its grant can only
     * expire (no release names its unknown token), it leaves the greatest token as it was, and
     * the next grant's bound after it (≥ the previous holder's bound + lease − tolerance, + its
     * own lease − tolerance) is no earlier than without it. So any linearization with it stays
     * legal without it.
     */
    crashedIsIrrelevant(calls: readonly PlacedCall<LeaseMutexInput, LeaseMutexOutput>[], i: number) {
      const c = calls[i]!;
      return c.input.f === 'acquire' && c.input.leaseMs >= tol;
    },
    inputKey: (input) => JSON.stringify(input, (_k, v: unknown) => (v === Infinity ? 'inf' : v)),
    describeCall(input, output: MaybeOutput<LeaseMutexOutput>) {
      if (input.f === 'acquire') {
        const lease = `lease ${input.leaseMs} ms`;
        return output === UNKNOWN_OUTPUT ? `acquire (crashed; ${lease})` : `acquire → token ${String(output)} (${lease})`;
      }
      const what = input.token === null ? 'release of its grant' : `release of token ${input.token}`;
      return output === UNKNOWN_OUTPUT ? `${what} (crashed)` : what;
    },
    describeState(s) {
      if (!s.held) return 'the lock is free';
      const who = s.token === null ? 'a crashed acquire' : `token ${s.token}`;
      return `the lock is held by ${who}, granted no earlier than t=${fmtMs(s.sinceMs)}, its lease (${s.leaseMs} ms) running out no earlier than t=${fmtMs(s.sinceMs + s.leaseMs - tol)}`;
    },
  };
}
