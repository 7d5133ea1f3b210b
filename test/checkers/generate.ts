// Generators of histories for tests and the bench: small random ones for the oracle property
// test, and big ones from a simulated linearizable object (valid by construction) with crashed
// ops and an optional planted violation.

import type { Op } from '../../src/core/op.js';

export type SmallModel = 'register' | 'cas-register' | 'kv' | 'kv-append' | 'set' | 'fifo-queue' | 'unordered-queue' | 'mutex';

/** One random step: pick a process, and numbers that choose f, values and outcome. */
export type Step = [process: number, a: number, b: number, outcome: number];

function invokeFor(model: SmallModel, a: number, b: number): { f: string; value: unknown } {
  switch (model) {
    case 'register':
      return a % 2 === 0 ? { f: 'read', value: null } : { f: 'write', value: b % 3 };
    case 'cas-register':
      return a % 3 === 0 ? { f: 'read', value: null } : a % 3 === 1 ? { f: 'write', value: b % 3 } : { f: 'cas', value: [b % 3, (b >> 2) % 3] };
    case 'kv': {
      const key = (a >> 3) % 2 === 0 ? 'x' : 'y';
      return a % 3 === 0 ? { f: 'read', value: [key, null] } : a % 3 === 1 ? { f: 'write', value: [key, b % 3] } : { f: 'cas', value: [key, [b % 3, (b >> 2) % 3]] };
    }
    case 'kv-append': {
      // Porcupine's kv: appends of short strings to a key, reads of the whole string.
      const key = (a >> 3) % 2 === 0 ? 'x' : 'y';
      // Sometimes a put (write) of a short string, which resets what the appends built.
      if (a % 7 === 6) return { f: 'write', value: [key, ['b', 'ab'][b % 2]!] };
      return a % 3 === 0 ? { f: 'read', value: [key, null] } : { f: 'append', value: [key, 'abc'[b % 3]!] };
    }
    case 'set':
      return a % 2 === 0 ? { f: 'read', value: null } : { f: 'add', value: b % 4 };
    case 'fifo-queue':
    case 'unordered-queue':
      return a % 2 === 0 ? { f: 'dequeue', value: null } : { f: 'enqueue', value: b % 4 };
    case 'mutex':
      return a % 2 === 0 ? { f: 'acquire', value: null } : { f: 'release', value: null };
  }
}

/** The value an ok completion carries: reads and dequeues get a random (often wrong) result. */
function completionValue(model: SmallModel, inv: { f: string; value: unknown }, c: number): unknown {
  const small = [null, 0, 1, 2][c % 4];
  if (inv.f === 'read') {
    if (model === 'set') return [0, 1, 2, 3].filter((x) => (c >> x) & 1);
    if (model === 'kv') return [(inv.value as unknown[])[0], small];
    if (model === 'kv-append') return [(inv.value as unknown[])[0], [null, 'a', 'b', 'ab', 'ba', 'abc', 'ac', 'bc', 'c', 'ca'][c % 10]];
    return small;
  }
  if (inv.f === 'dequeue') return [null, 0, 1, 2, 3][c % 5];
  return inv.value;
}

/**
 * Builds a well-formed history of at most `maxOps` invokes from random steps: an idle process
 * invokes, a busy one completes (ok, fail or info; info retires the process under a new id).
 * Ops still running at the end never complete.
 */
export function smallHistory(model: SmallModel, processes: number, steps: readonly Step[], maxOps = 10): Op[] {
  const ops: Op[] = [];
  const running = new Map<number, { f: string; value: unknown }>();
  const idOf = Array.from({ length: processes }, (_, i) => i);
  let invokes = 0;
  for (const [p, a, b, outcome] of steps) {
    const slot = p % processes;
    const pid = idOf[slot]!;
    const inFlight = running.get(pid);
    const push = (type: Op['type'], f: string, value: unknown): void => {
      ops.push({ index: ops.length, type, process: pid, f, value, timeNs: ops.length * 10 });
    };
    if (!inFlight) {
      if (invokes >= maxOps) continue;
      const inv = invokeFor(model, a, b);
      running.set(pid, inv);
      invokes++;
      push('invoke', inv.f, inv.value);
      continue;
    }
    running.delete(pid);
    const kind = outcome % 10;
    if (kind < 6) push('ok', inFlight.f, completionValue(model, inFlight, b));
    else if (kind < 8) push('fail', inFlight.f, inFlight.value);
    else {
      push('info', inFlight.f, inFlight.value);
      idOf[slot] = pid + processes;
    }
  }
  return ops;
}

/** A tiny deterministic PRNG (mulberry32), so generated histories are reproducible from a seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BigHistoryOptions {
  ops: number;
  concurrency: number;
  /** Crashed ops (info), spread over the history. */
  crashed: number;
  /** Independent keys (values become [key, value] tuples); 0 = a single cas register. */
  keys?: number;
  /** Plant a stale read near this fraction of the history (0..1), making it non-linearizable. */
  violationAt?: number;
  seed?: number;
}

/**
 * A cas-register (or kv) history from a simulated linearizable register: each op takes effect
 * at a random instant between its invoke and completion, so the history is linearizable by
 * construction. Writes use unique values. Crashed ops take effect or not, at random. A planted
 * violation is a read of the value before the last change C, where C completed before the read
 * was invoked and the op that wrote that value completed before C was invoked: values are
 * unique, so every linearization puts the register past that value when the read happens.
 */
export function bigHistory(o: BigHistoryOptions): Op[] {
  const random = rng(o.seed ?? 1);
  const keyCount = Math.max(1, o.keys ?? 0);
  const keyed = (o.keys ?? 0) > 0;
  const state = new Map<number, number | null>();
  const previous = new Map<number, number | null>();
  const ops: Op[] = [];
  let nextValue = 1;
  let nextPid = o.concurrency;
  const crashEvery = o.crashed > 0 ? Math.floor(o.ops / o.crashed) : Infinity;
  const plantAt = o.violationAt === undefined ? -1 : Math.floor(o.ops * o.violationAt);
  interface Running {
    pid: number; key: number; f: string; arg: unknown; result?: unknown; applied: boolean; crash: boolean;
    invokedAt: number; completedAt?: number;
  }
  const lastChanger = new Map<number, Running>();
  const prevChanger = new Map<number, Running | undefined>();
  let plantPending = false;
  let crashDue = 0;
  /** True when a read invoked at `at` on `key` can be answered with the previous value as a certain violation. */
  const canPlant = (key: number, at: number): boolean => {
    const c = lastChanger.get(key);
    const w = prevChanger.get(key);
    // Crashed ops bound nothing in real time: they may take effect after their info.
    const done = (x: Running | undefined): x is Running => x !== undefined && !x.crash && x.completedAt !== undefined;
    return done(c) && c.completedAt! < at && (w === undefined || (done(w) && w.completedAt! < c.invokedAt));
  };
  const running: Running[] = [];
  const pids = Array.from({ length: o.concurrency }, (_, i) => i);
  let invoked = 0;
  const emit = (type: Op['type'], r: Running, value: unknown): void => {
    const v = keyed ? [String(r.key), value] : value;
    ops.push({ index: ops.length, type, process: r.pid, f: r.f, value: v, timeNs: ops.length * 1000 });
  };
  const apply = (r: Running): void => {
    r.applied = true;
    const cur = state.get(r.key) ?? null;
    const change = (to: number): void => {
      previous.set(r.key, cur);
      state.set(r.key, to);
      prevChanger.set(r.key, lastChanger.get(r.key));
      lastChanger.set(r.key, r);
    };
    if (r.f === 'read') r.result = cur;
    else if (r.f === 'write') change(r.arg as number);
    else {
      const [from, to] = r.arg as [number | null, number];
      r.result = cur === from;
      if (r.result) change(to);
    }
  };
  while (invoked < o.ops || running.length > 0) {
    const idle = pids.filter((p) => !running.some((r) => r.pid === p));
    const roll = random();
    if (invoked < o.ops && idle.length > 0 && (roll < 0.5 || running.length === 0)) {
      const slot = pids.indexOf(idle[Math.floor(random() * idle.length)]!);
      const key = Math.floor(random() * keyCount);
      const kind = random();
      // Crashes land on the next write or cas once due (crashed reads would just be dropped).
      if (invoked > 0 && invoked % crashEvery === 0) crashDue++;
      if (invoked === plantAt) plantPending = true;
      // While a violation is due, changes to the key run one at a time, so that two of them
      // complete in sequence and a later read can be planted.
      const changing = plantPending && running.some((x) => x.key === key && x.f !== 'read');
      const f = changing || kind < 0.4 ? 'read' : kind < 0.7 ? 'write' : 'cas';
      const cur = state.get(key) ?? null;
      const arg = f === 'read' ? null : f === 'write' ? nextValue++ : [random() < 0.6 ? cur : nextValue - 2, nextValue++];
      const crash = crashDue > 0 && f !== 'read' && !plantPending;
      if (crash) crashDue--;
      const r: Running = { pid: pids[slot]!, key, f, arg, applied: false, crash, invokedAt: ops.length };
      running.push(r);
      invoked++;
      emit('invoke', r, f === 'read' ? null : arg);
      continue;
    }
    const r = running[Math.floor(random() * running.length)]!;
    if (!r.applied && random() < 0.5 && !r.crash) {
      apply(r);
      continue;
    }
    if (!r.applied && !r.crash) apply(r);
    if (r.crash && !r.applied && random() < 0.5) apply(r);
    running.splice(running.indexOf(r), 1);
    r.completedAt = ops.length;
    if (r.crash) {
      emit('info', r, r.f === 'read' ? null : r.arg);
      pids[pids.indexOf(r.pid)] = nextPid++;
      continue;
    }
    if (r.f === 'read' && plantPending && canPlant(r.key, r.invokedAt)) {
      r.result = previous.get(r.key) ?? null;
      plantPending = false;
    }
    if (r.f === 'read') emit('ok', r, r.result);
    else if (r.f === 'write') emit('ok', r, r.arg);
    else emit(r.result ? 'ok' : 'fail', r, r.arg);
  }
  if (plantPending) throw new Error(`bigHistory: could not plant the violation (seed ${o.seed ?? 1})`);
  return ops;
}

export interface AppendHistoryOptions {
  ops: number;
  clients: number;
  keys: number;
  /** Appends that crash (info): each takes effect or not, at random, possibly after its info. */
  crashed: number;
  /** Plant a read that misses an append which completed before the read was invoked. */
  violation?: boolean;
  seed?: number;
  /** Fraction of ops that are reads (default 0.4). */
  reads?: number;
}

/**
 * Porcupine-style kv histories of appends and gets ("x <client> <n> y" strings), from a simulated
 * linearizable map: each op takes effect at a random instant between invoke and completion, so
 * the history is linearizable by construction unless a violation is planted. Crashed appends
 * take effect (maybe later, while other ops run) or never. Values are [key, string] tuples.
 */
export function appendHistory(o: AppendHistoryOptions): Op[] {
  const random = rng(o.seed ?? 1);
  const state = new Map<string, string>();
  const ops: Op[] = [];
  interface Running { pid: number; key: string; f: 'append' | 'get'; arg: string | null; result?: string; applied: boolean; crash: boolean }
  const running: Running[] = [];
  const lingering: Running[] = [];
  const pids = Array.from({ length: o.clients }, (_, i) => i);
  let nextPid = o.clients;
  let invoked = 0;
  let crashes = 0;
  let counter = 0;
  let planted = !o.violation;
  const plantAt = Math.floor(o.ops * 0.7);
  const crashEvery = o.crashed > 0 ? Math.max(1, Math.floor(o.ops / (o.crashed + 1))) : Infinity;
  const emit = (type: Op['type'], pid: number, f: string, key: string, value: string | null): void => {
    ops.push({ index: ops.length, type, process: pid, f, value: [key, value], timeNs: ops.length * 1000 });
  };
  const apply = (r: Running): void => {
    r.applied = true;
    const cur = state.get(r.key) ?? '';
    if (r.f === 'append') state.set(r.key, cur + r.arg!);
    else r.result = cur;
  };
  while (invoked < o.ops || running.length > 0) {
    // A crashed append that has not taken effect yet may do so at any time.
    if (lingering.length > 0 && random() < 0.05) apply(lingering.splice(Math.floor(random() * lingering.length), 1)[0]!);
    const idle = pids.filter((p) => !running.some((r) => r.pid === p));
    if (invoked < o.ops && idle.length > 0 && (random() < 0.5 || running.length === 0)) {
      const pid = idle[Math.floor(random() * idle.length)]!;
      const key = String(Math.floor(random() * o.keys));
      const f = random() < (o.reads ?? 0.4) ? 'get' : 'append';
      const crash = f === 'append' && crashes < o.crashed && invoked > 0 && invoked % crashEvery === 0;
      if (crash) crashes++;
      const r: Running = { pid, key, f, arg: f === 'append' ? `x ${pid} ${counter++} y` : null, applied: false, crash };
      running.push(r);
      invoked++;
      emit('invoke', pid, f, key, r.arg);
      continue;
    }
    const r = running[Math.floor(random() * running.length)]!;
    if (!r.applied && !r.crash && random() < 0.5) {
      apply(r);
      continue;
    }
    running.splice(running.indexOf(r), 1);
    if (r.crash) {
      if (!r.applied && random() < 0.5) lingering.push(r);
      emit('info', r.pid, r.f, r.key, r.arg);
      pids[pids.indexOf(r.pid)] = nextPid++;
      continue;
    }
    if (!r.applied) apply(r);
    if (r.f === 'get' && !planted && invoked >= plantAt && (r.result ?? '').length > 0) {
      // Drop the first append from the read: it completed long before (the first op on the key).
      const first = /^x \d+ \d+ y/.exec(r.result!)![0];
      if (ops.some((op) => op.type === 'ok' && op.f === 'append' && (op.value as unknown[])[1] === first && (op.value as unknown[])[0] === r.key)) {
        r.result = r.result!.slice(first.length);
        planted = true;
      }
    }
    emit('ok', r.pid, r.f, r.key, r.f === 'get' ? (r.result ?? '') : r.arg);
  }
  if (!planted) throw new Error(`appendHistory: could not plant the violation (seed ${o.seed ?? 1})`);
  return ops;
}
