// For tests only: (1) a brute-force oracle for the lease-aware mutex (checkers/models/lease-mutex.ts)
// that shares no code with the checker — it tries every order of the calls that respects real
// time, every subset of crashed calls, and every integer stamp of every grant, checking the
// documented constraints directly (no lower-bound bookkeeping); (2) a generator of small lock
// histories by simulating the bundled store's lock service itself (src/store/kv.ts's KvStore),
// with each grant's clock reading anywhere in its call and up to `toleranceMs` ahead, apply order
// free within the calls, crashes, and optionally a planted bug: an acquire refused as lock-held is
// granted anyway (a clock read past the holder's expiry) — a double grant unless the lease could
// have run out.
//
// Oracle semantics (the model's header, restated): fail = did not happen; ok acquire with token t
// needs t > every earlier grant's token; a grant over a held lock needs its stamp p ≥ holder's
// stamp + holder's lease − tolerance, stamps p ∈ [invoke, complete] (crashed: [invoke, ∞));
// a crashed acquire may take the lock (token unknown) or never happen; a release naming token t
// frees the lock iff the holder's token is t; a release naming none frees it iff the holder's
// token is known and its acquire completed before the release was invoked; a crashed release
// may take effect or never happen.

import type { Op } from '../../src/core/op.js';
import { KvStore, type LockRecord } from '../../src/store/kv.js';

interface OCall {
  f: 'acquire' | 'release';
  crashed: boolean;
  invAt: number; // history position
  retAt: number; // history position, Infinity when crashed
  invMs: number;
  retMs: number; // Infinity when crashed
  leaseMs: number;
  token: number | null; // acquire: granted token (null crashed); release: named token
}

const num = (v: unknown, k: string): number | undefined => {
  if (typeof v === 'number') return k === 'token' ? v : undefined;
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)[k] === 'number') return (v as Record<string, number>)[k];
  return undefined;
};

function callsOf(history: readonly Op[], defaultLeaseMs: number): OCall[] {
  const open = new Map<unknown, { op: Op; at: number }>();
  const out: OCall[] = [];
  const add = (inv: { op: Op; at: number }, c: { op: Op; at: number } | undefined) => {
    if (c?.op.type === 'fail') return;
    const crashed = !c || c.op.type === 'info';
    const f = inv.op.f as 'acquire' | 'release';
    const token = f === 'acquire' ? (crashed ? null : num(c!.op.value, 'token')!) : ((crashed ? undefined : num(c!.op.value, 'token')) ?? num(inv.op.value, 'token') ?? null);
    out.push({
      f, crashed, token,
      invAt: inv.at, retAt: crashed ? Infinity : c!.at,
      invMs: inv.op.timeNs / 1e6, retMs: crashed ? Infinity : c!.op.timeNs / 1e6,
      leaseMs: num(inv.op.value, 'leaseMs') ?? defaultLeaseMs,
    });
  };
  history.forEach((op, at) => {
    if (op.process === 'nemesis' || (op.f !== 'acquire' && op.f !== 'release')) return;
    if (op.type === 'invoke') open.set(op.process, { op, at });
    else {
      const inv = open.get(op.process);
      open.delete(op.process);
      if (inv) add(inv, { op, at });
    }
  });
  for (const inv of open.values()) add(inv, undefined);
  return out;
}

/** True when some order, subset of crashed calls and integer stamps satisfy the semantics. */
export function bruteLeaseMutex(history: readonly Op[], toleranceMs: number, defaultLeaseMs = 0): boolean {
  const calls = callsOf(history, defaultLeaseMs);
  const n = calls.length;
  const horizon = Math.max(0, ...calls.map((c) => (Number.isFinite(c.retMs) ? c.retMs : c.invMs))) + 2 * Math.max(0, ...calls.map((c) => c.leaseMs)) + 2;
  const mustPlace = calls.reduce((m, c, i) => (c.crashed ? m : m | (1 << i)), 0);
  const failed = new Set<string>();
  // holder: index of the holding acquire, its stamp; -1 free
  const go = (placed: number, holder: number, holderP: number, last: number): boolean => {
    if ((placed & mustPlace) === mustPlace) return true;
    const key = `${placed}|${holder}|${holderP}|${last}`;
    if (failed.has(key)) return false;
    for (let i = 0; i < n; i++) {
      if (placed & (1 << i)) continue;
      const c = calls[i]!;
      // real time: no unplaced completed call returned before c was invoked
      let blocked = false;
      for (let j = 0; j < n && !blocked; j++) if (j !== i && !(placed & (1 << j)) && !calls[j]!.crashed && calls[j]!.retAt < c.invAt) blocked = true;
      if (blocked) continue;
      const next = placed | (1 << i);
      if (c.f === 'acquire') {
        if (c.token !== null && c.token <= last) continue;
        const hi = Number.isFinite(c.retMs) ? c.retMs : horizon;
        for (let p = Math.ceil(c.invMs); p <= hi; p++) {
          if (holder >= 0 && p < holderP + calls[holder]!.leaseMs - toleranceMs) continue;
          if (go(next, i, p, c.token ?? last)) return true;
        }
      } else {
        if (holder < 0) continue;
        const h = calls[holder]!;
        if (h.token === null) continue;
        const frees = c.token !== null ? h.token === c.token : h.retAt < c.invAt;
        if (frees && go(next, -1, 0, last)) return true;
      }
    }
    failed.add(key);
    return false;
  };
  return go(0, -1, 0, -Infinity);
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): { int(lo: number, hi: number): number; chance(p: number): boolean } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), chance: (p) => next() < p };
}

export interface SimCase {
  history: Op[];
  leaseMs: number;
  toleranceMs: number;
  /** Whether a planted grant happened (the service misbehaved at least once). */
  planted: boolean;
}

/**
 * Simulates the store's lock service (KvStore) for `threads` clients, each doing a few acquires
 * and releases, into a history (times in ms, as timeNs = ms·1e6). With `plant`, an acquire the
 * service refuses is sometimes granted anyway.
 */
export function simulateLock(seed: number, plant: boolean, size?: { threads: number; ops: number; leaseMs: number; toleranceMs: number }): SimCase {
  const r = rng(seed);
  const threads = size?.threads ?? r.int(2, 3);
  const leaseMs = size?.leaseMs ?? r.int(3, 6);
  const toleranceMs = size?.toleranceMs ?? r.int(0, 2);
  interface Sim { thread: number; f: 'acquire' | 'release'; inv: number; ret: number; crash: boolean; effect: boolean; stamp: number; apply: number; now: number; result?: { type: 'ok' | 'fail'; value: unknown }; process?: number }
  const sims: Sim[] = [];
  const total = size?.ops ?? r.int(4, 7);
  const clock = Array.from({ length: threads }, () => r.int(0, 3));
  for (let k = 0; k < total; k++) {
    const thread = r.int(0, threads - 1);
    const inv = clock[thread]!;
    const ret = inv + r.int(1, 4); // ≥ 1 ms: a call's completion never shares its invoke's time
    clock[thread] = ret + r.int(0, 3);
    const crash = r.chance(0.15);
    const effect = !crash || r.chance(0.5);
    const stamp = crash ? r.int(inv, inv + 6) : r.int(inv, ret);
    const apply = crash ? r.int(stamp, stamp + 3) : r.int(stamp, ret);
    sims.push({ thread, f: r.chance(0.6) ? 'acquire' : 'release', inv, ret, crash, effect, stamp, apply, now: stamp + r.int(0, toleranceMs) });
  }
  // Per thread, ops are sequential: sort by invoke within the thread (already increasing).
  const kv = new KvStore();
  const grant = new Map<number, number | undefined>();
  let planted = false;
  // The client reads its grant when it invokes a release; invokes and applies interleave in time.
  // Applies at equal times go in the order of their calls' completions (then invokes): a call that
  // completed before another was invoked applies first, as a linearizable service does.
  type Ev = { at: number; kind: 0 | 1; s: Sim; tie: number };
  const evs: Ev[] = [];
  for (const s of sims) {
    evs.push({ at: s.inv, kind: 0, s, tie: 0 });
    if (s.effect) evs.push({ at: s.apply, kind: 1, s, tie: r.int(0, 1e6) });
  }
  // At equal times: a thread's previous op's completion (its apply ≤ ret ≤ next invoke) first, so apply before invoke.
  evs.sort((a, b) => a.at - b.at || b.kind - a.kind || (a.kind === 1 ? a.s.ret - b.s.ret || a.s.inv - b.s.inv : 0) || a.tie - b.tie);
  const sent = new Map<Sim, number | undefined>();
  const byThread = new Map<number, Sim[]>();
  for (const s of sims) byThread.set(s.thread, [...(byThread.get(s.thread) ?? []), s]);
  const seen = new Map<number, number>();
  const doneThread = new Map<Sim, boolean>();
  for (const e of evs) {
    const s = e.s;
    if (e.kind === 0) {
      // the client's own bookkeeping as of this invoke: the results of its earlier, completed ops
      const mine = byThread.get(s.thread)!;
      for (let k = seen.get(s.thread) ?? 0; k < mine.length && mine[k]!.inv < s.inv; k++, seen.set(s.thread, k)) {
        const x = mine[k]!;
        if (doneThread.get(x)) continue;
        doneThread.set(x, true);
        if (x.f === 'acquire' && !x.crash && x.result?.type === 'ok') grant.set(x.thread, (x.result.value as { token: number }).token);
        if (x.f === 'release' && sent.get(x) !== undefined) grant.set(x.thread, undefined);
      }
      if (s.f === 'release') {
        sent.set(s, grant.get(s.thread));
        if (grant.get(s.thread) === undefined) s.effect = false; // not-holding: nothing sent
      }
      continue;
    }
    if (!s.effect) continue;
    if (s.f === 'acquire') {
      let res = kv.apply({ op: 'lock-acquire', key: 'L', holder: `h${s.thread}`, leaseMs, now: s.now });
      if (!res.ok && plant && r.chance(0.8)) {
        const rec = kv.get('L') as LockRecord;
        res = kv.apply({ op: 'lock-acquire', key: 'L', holder: `h${s.thread}`, leaseMs, now: Math.max(s.now, rec.expiresAt) });
        planted = true;
      }
      s.result = res.ok ? { type: 'ok', value: res.value } : { type: 'fail', value: null };
    } else {
      const res = kv.apply({ op: 'lock-release', key: 'L', token: sent.get(s)! });
      s.result = res.ok ? { type: 'ok', value: res.value } : { type: 'fail', value: null };
    }
  }
  // Processes: a thread's process moves on after an info.
  const proc = Array.from({ length: threads }, (_, t) => t);
  const recs: { at: number; order: number; op: Omit<Op, 'index'> }[] = [];
  for (const s of [...sims].sort((a, b) => a.inv - b.inv)) {
    const process = proc[s.thread]!;
    recs.push({ at: s.inv, order: 1, op: { type: 'invoke', process, f: s.f, value: s.f === 'acquire' ? { leaseMs } : null, timeNs: s.inv * 1e6 } });
    if (s.crash) {
      proc[s.thread] = process + threads;
      recs.push({ at: s.ret, order: 0, op: { type: 'info', process, f: s.f, value: s.f === 'acquire' ? { leaseMs } : null, timeNs: s.ret * 1e6 } });
    } else {
      const result = s.result ?? { type: 'fail' as const, value: null }; // a release with no grant: not-holding
      recs.push({ at: s.ret, order: 0, op: { type: result.type, process, f: s.f, value: result.type === 'ok' ? result.value : null, timeNs: s.ret * 1e6 } });
    }
  }
  // Completions before invokes at the same time: a call that completed at T precedes one invoked at T
  // (the service applied them in that order, see above).
  recs.sort((a, b) => a.at - b.at || a.order - b.order);
  return { history: recs.map((x, index) => ({ index, ...x.op }) as Op), leaseMs, toleranceMs, planted };
}
