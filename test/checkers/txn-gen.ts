// Test-only: small list-append histories from a simulated database (several isolation
// behaviours, plus planted anomalies), and a brute-force serializability oracle that tries every
// order of the transactions (and every subset of the indeterminate ones).

import type { Op } from '../../src/core/op.js';
import { createRng, type Rng } from '../../src/core/rng.js';

export type Mode =
  | 'atomic' // each transaction applied at once between its invoke and completion: strict serializable
  | 'stale' // atomic, but read-only transactions read an old state: serializable, not always strict
  | 'interleaved' // micro-ops applied one by one, interleaved with others: no isolation
  | 'snapshot' // reads from a snapshot at start, appends applied at commit: snapshot isolation
  | 'garbage' // atomic, then a read gets an element nobody appended
  | 'duplicate' // atomic, then a read gets an element twice
  | 'aborted' // atomic, failed transactions' appends applied anyway
  | 'internal' // atomic, then a read after an own append loses it
  | 'incompatible'; // atomic, then a read's elements are swapped

export const MODES: Mode[] = ['atomic', 'stale', 'interleaved', 'snapshot', 'garbage', 'duplicate', 'aborted', 'internal', 'incompatible'];

type Mop = [string, number, unknown];
interface Plan {
  process: number;
  mops: Mop[];
  outcome: 'ok' | 'fail' | 'info' | 'open';
  /** Whether an info / failed transaction's appends take effect. */
  applies: boolean;
}

/** One small history in the project's op form (f 'txn', micro-ops [':append' k v] / [':r' k list]). */
export function smallTxnHistory(seed: number, mode: Mode): Op[] {
  const rng = createRng(seed);
  const nTxns = rng.int(2, 6);
  const nKeys = rng.int(1, 3);
  const workers = rng.int(2, 3);
  let nextValue = 1;
  const plans: Plan[] = [];
  for (let i = 0; i < nTxns; i++) {
    const len = rng.int(1, 3);
    const mops: Mop[] = [];
    for (let j = 0; j < len; j++) {
      const k = rng.int(0, nKeys - 1);
      mops.push(rng.float() < 0.5 ? [':append', k, nextValue++] : [':r', k, null]);
    }
    const x = rng.float();
    const failP = mode === 'aborted' ? 0.3 : 0.1;
    const outcome = x < 0.85 - failP ? 'ok' : x < 0.85 ? 'fail' : x < 0.95 ? 'info' : 'open';
    plans.push({ process: 0, mops, outcome, applies: mode === 'aborted' ? true : rng.float() < 0.5 });
  }
  const state = new Map<number, number[]>();
  const get = (k: number): number[] => state.get(k) ?? [];
  const ops: Op[] = [];
  const emit = (o: Omit<Op, 'index' | 'timeNs'>): void => {
    ops.push({ ...o, index: ops.length, timeNs: ops.length * 10 });
  };
  // Each worker runs its queue of transactions one at a time; a worker whose op ends info takes a
  // fresh process id (as the interpreter does).
  const queues: number[][] = Array.from({ length: workers }, () => []);
  plans.forEach((_, i) => queues[rng.int(0, workers - 1)]!.push(i));
  const processOf = queues.map((_, w) => w);
  let nextProcess = workers;
  interface Running { plan: number; step: number; reads: Mop[]; snapshot?: Map<number, number[]>; own: Map<number, number[]>; applied: boolean }
  const running: (Running | null)[] = queues.map(() => null);
  // ok: applied; info / open: maybe; fail: never (except in the aborted mode, the bug planted)
  const effective = (p: Plan): boolean => p.outcome === 'ok' || (p.outcome === 'fail' ? mode === 'aborted' : p.applies);
  const runAtomic = (r: Running, p: Plan): void => {
    for (const m of p.mops) {
      if (m[0] === ':append') {
        if (effective(p)) state.set(m[1], [...get(m[1]), m[2] as number]);
        else r.own.set(m[1], [...(r.own.get(m[1]) ?? get(m[1])), m[2] as number]);
        r.reads.push(m);
      } else r.reads.push([':r', m[1], [...(effective(p) ? get(m[1]) : (r.own.get(m[1]) ?? get(m[1])))]]);
    }
    r.applied = true;
  };
  const history: Map<number, number[]>[] = [new Map()];
  for (;;) {
    const live = queues.map((q, w) => (q.length > 0 || running[w] ? w : -1)).filter((w) => w >= 0);
    if (live.length === 0) break;
    const w = rng.pick(live);
    const cur = running[w];
    if (!cur) {
      const i = queues[w]!.shift()!;
      const p = plans[i]!;
      p.process = processOf[w]!;
      emit({ type: 'invoke', process: p.process, f: 'txn', value: p.mops.map((m) => [m[0], m[1], m[0] === ':r' ? null : m[2]]) });
      running[w] = { plan: i, step: 0, reads: [], own: new Map(), applied: false };
      if (mode === 'snapshot') running[w]!.snapshot = new Map([...state].map(([k, v]) => [k, [...v]]));
      continue;
    }
    const p = plans[cur.plan]!;
    if (!cur.applied) {
      if (mode === 'interleaved') {
        const m = p.mops[cur.step]!;
        if (m[0] === ':append') {
          if (effective(p)) state.set(m[1], [...get(m[1]), m[2] as number]);
          cur.reads.push(m);
        } else cur.reads.push([':r', m[1], [...get(m[1])]]);
        cur.step++;
        if (cur.step === p.mops.length) cur.applied = true;
        continue;
      }
      if (mode === 'snapshot') {
        const snap = cur.snapshot!;
        for (const m of p.mops) {
          if (m[0] === ':append') {
            snap.set(m[1], [...(snap.get(m[1]) ?? []), m[2] as number]);
            cur.reads.push(m);
          } else cur.reads.push([':r', m[1], [...(snap.get(m[1]) ?? [])]]);
        }
        if (effective(p)) for (const m of p.mops) if (m[0] === ':append') state.set(m[1], [...get(m[1]), m[2] as number]);
        cur.applied = true;
        continue;
      }
      if (mode === 'stale' && p.mops.every((m) => m[0] === ':r')) {
        // a read-only transaction served from an old state (a lagging replica): serializable, not strict
        const old = rng.pick(history);
        for (const m of p.mops) cur.reads.push([':r', m[1], [...(old.get(m[1]) ?? [])]]);
        cur.applied = true;
        continue;
      }
      runAtomic(cur, p);
      history.push(new Map(state));
      continue;
    }
    // complete
    running[w] = null;
    if (p.outcome === 'open') {
      queues[w] = []; // the history ends with this one still open
      continue;
    }
    const value = p.outcome === 'ok' ? cur.reads.map((m) => [...m]) : p.mops.map((m) => [m[0], m[1], m[0] === ':r' ? null : m[2]]);
    emit({ type: p.outcome, process: p.process, f: 'txn', value });
    if (p.outcome === 'info') processOf[w] = nextProcess++;
  }
  plant(ops, mode, rng, nextValue);
  return ops;
}

/** Mutates one ok read to plant an anomaly (when there is a read that allows it). */
function plant(ops: Op[], mode: Mode, rng: Rng, fresh: number): void {
  const reads: { op: Op; i: number; own: boolean }[] = [];
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    const mops = op.value as Mop[];
    const appended = new Set<number>();
    mops.forEach((m, i) => {
      if (m[0] === ':append') appended.add(m[1]);
      else reads.push({ op, i, own: appended.has(m[1]) });
    });
  }
  const pickRead = (pred: (l: number[], own: boolean) => boolean) => {
    const c = reads.filter((r) => pred(((r.op.value as Mop[])[r.i]![2] as number[]), r.own));
    return c.length ? rng.pick(c) : undefined;
  };
  const set = (r: { op: Op; i: number }, l: number[]) => {
    (r.op.value as Mop[])[r.i]![2] = l;
  };
  const list = (r: { op: Op; i: number }) => [...((r.op.value as Mop[])[r.i]![2] as number[])];
  if (mode === 'garbage') {
    const r = pickRead(() => true);
    if (r) set(r, [...list(r), fresh + 1000]);
  } else if (mode === 'duplicate') {
    const r = pickRead((l) => l.length > 0);
    if (r) { const l = list(r); set(r, [...l, l[rng.int(0, l.length - 1)]!]); }
  } else if (mode === 'internal') {
    const r = pickRead((l, own) => own && l.length > 0);
    if (r) set(r, list(r).slice(0, -1));
  } else if (mode === 'incompatible') {
    const r = pickRead((l) => l.length > 1);
    if (r) { const l = list(r); const i = rng.int(0, l.length - 2); [l[i], l[i + 1]] = [l[i + 1]!, l[i]!]; set(r, l); }
  }
}

interface OTxn { ok: boolean; mops: Mop[]; invoke: number; complete: number }

/** Brute force: is there an order of the ok transactions (plus any subset of info / open ones) that reads exactly as recorded? */
export function oracleSerializable(history: readonly Op[], strict: boolean): boolean {
  const txns: OTxn[] = [];
  const open = new Map<unknown, OTxn>();
  for (const op of history) {
    if (op.type === 'invoke') {
      const t: OTxn = { ok: false, mops: op.value as Mop[], invoke: op.index, complete: Infinity };
      open.set(op.process, t);
      txns.push(t);
    } else {
      const t = open.get(op.process)!;
      open.delete(op.process);
      if (op.type === 'ok') { t.ok = true; t.mops = op.value as Mop[]; t.complete = op.index; }
      if (op.type === 'fail') t.complete = -1; // never happened
    }
  }
  const cands = txns.filter((t) => t.complete !== -1);
  const okCount = cands.filter((t) => t.ok).length;
  const placed = new Array<boolean>(cands.length).fill(false);
  const search = (state: Map<number, number[]>, done: number): boolean => {
    if (done === okCount) return true;
    for (let i = 0; i < cands.length; i++) {
      if (placed[i]) continue;
      const t = cands[i]!;
      // real time: every ok transaction completed before t's invoke must be placed already
      if (strict && cands.some((u, j) => !placed[j] && u.ok && u.complete < t.invoke)) continue;
      const next = new Map(state);
      let fine = true;
      for (const m of t.mops) {
        const cur = next.get(m[1]) ?? [];
        if (m[0] === ':append') next.set(m[1], [...cur, m[2] as number]);
        else if (t.ok) {
          const read = (m[2] as number[] | null) ?? [];
          if (read.length !== cur.length || read.some((x, k) => x !== cur[k])) { fine = false; break; }
        }
      }
      if (!fine) continue;
      placed[i] = true;
      const r = search(next, done + (t.ok ? 1 : 0));
      placed[i] = false;
      if (r) return true;
    }
    return false;
  };
  return search(new Map(), 0);
}
