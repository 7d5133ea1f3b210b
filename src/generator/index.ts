// Generators: immutable descriptions of which operation to invoke next, on which worker, when.
//
// As Jepsen's: `op(ctx)` returns the next op for one of the free threads (with the time it may
// start), or `pending` (nothing now: wait for a completion or a time), or `done`; the
// interpreter then continues with `next`. `update(ctx, event)` is told of every invoke and
// completion. Generators never read a clock: time comes from the context, randomness from the
// context's seeded RNG — so the same seed and the same sequence of events give the same ops.
// They are immutable: the interpreter continues with `next` of an op or pending step (a pending
// step may carry state, such as a sleep's deadline fixed when first asked), and can ask the same
// generator again after waiting for an op whose start time has not come yet.

import type { Op } from '../core/op.js';
import type { Rng } from '../core/rng.js';

/** A worker: a client thread number, or the nemesis. */
export type Thread = number | 'nemesis';

/** What to invoke; `timeNs` is the earliest time it may start (stagger, sleep). */
export interface Invocation<V = unknown> {
  f: string;
  value: V;
  timeNs?: number;
  /**
   * The time by which it must have started (a time limit's end): an interpreter that gets to it
   * only at or after this time — a late timer on a loaded machine — drops it instead of invoking.
   */
  deadlineNs?: number;
}

export interface GenContext {
  /** Now, in ns since the run started. */
  timeNs: number;
  /** Threads idle now (an op may be given only to one of these). */
  free: readonly Thread[];
  /** Every thread of the run. */
  threads: readonly Thread[];
  /**
   * The random stream of the thread about to be served (the first free client thread, else the
   * nemesis): each thread has its own stream, advanced only by ops actually given to it, so a seed
   * fixes every thread's sequence of ops whatever the timing of the others.
   */
  rng: Rng;
  /** How many ops the thread about to be served has been given so far (0, 1, 2, …). */
  nth: number;
}

export type Step =
  | { kind: 'op'; thread: Thread; op: Invocation; next: Generator }
  | { kind: 'pending'; wakeNs?: number; next: Generator }
  | { kind: 'done' };

export interface Generator {
  op(ctx: GenContext): Step;
  update(ctx: GenContext, event: Op, thread: Thread): Generator;
}

const DONE: Step = { kind: 'done' };

/** The first free client thread (or undefined). */
function freeClient(ctx: GenContext): Thread | undefined {
  return ctx.free.find((t) => t !== 'nemesis');
}

function withThreads(ctx: GenContext, keep: (t: Thread) => boolean): GenContext {
  return { ...ctx, free: ctx.free.filter(keep), threads: ctx.threads.filter(keep) };
}

/** A generator that is already done. */
export const nothing: Generator = { op: () => DONE, update: () => nothing };

/** Infinite ops from a function, each to the first free client thread. */
export function fn(make: (ctx: GenContext, thread: Thread) => Invocation): Generator {
  const g: Generator = {
    op(ctx) {
      const thread = freeClient(ctx) ?? (ctx.free.includes('nemesis') ? 'nemesis' : undefined);
      if (thread === undefined) return { kind: 'pending', next: g };
      return { kind: 'op', thread, op: make(ctx, thread), next: g };
    },
    update: () => g,
  };
  return g;
}

/** Exactly one op (to any free thread the context allows), then done. */
export function once(inv: Invocation | ((ctx: GenContext) => Invocation)): Generator {
  return limit(1, fn(typeof inv === 'function' ? inv : () => inv));
}

/** At most n ops of gen. */
export function limit(n: number, gen: Generator): Generator {
  if (n <= 0) return nothing;
  return {
    op(ctx) {
      const s = gen.op(ctx);
      if (s.kind === 'op') return { ...s, next: limit(n - 1, s.next) };
      if (s.kind === 'pending') return { ...s, next: limit(n, s.next) };
      return s;
    },
    update: (ctx, e, t) => limit(n, gen.update(ctx, e, t)),
  };
}

/** Runs gen again from the start each time it is done (times = Infinity for forever). */
export function repeat(gen: Generator, times = Infinity): Generator {
  const loop = (cur: Generator, left: number): Generator => ({
    op(ctx) {
      if (left <= 0) return DONE;
      const s = cur.op(ctx);
      if (s.kind === 'op') return { ...s, next: loop(s.next, left) };
      if (s.kind === 'pending') return { ...s, next: loop(s.next, left) };
      if (left - 1 <= 0) return DONE;
      const again = gen.op(ctx);
      if (again.kind === 'done') return DONE; // an empty generator repeated is still empty
      return loop(gen, left - 1).op(ctx);
    },
    update: (ctx, e, t) => loop(cur.update(ctx, e, t), left),
  });
  return loop(gen, times);
}

/** gen's ops until `durationNs` after the first time it is asked; then done. */
export function timeLimit(durationNs: number, gen: Generator): Generator {
  const bounded = (cur: Generator, endNs: number): Generator => ({
    op(ctx) {
      if (ctx.timeNs >= endNs) return DONE;
      const s = cur.op(ctx);
      if (s.kind === 'op') {
        if ((s.op.timeNs ?? ctx.timeNs) >= endNs) return { kind: 'pending', wakeNs: endNs, next: bounded(cur, endNs) };
        return { ...s, op: { ...s.op, deadlineNs: Math.min(s.op.deadlineNs ?? endNs, endNs) }, next: bounded(s.next, endNs) };
      }
      if (s.kind === 'pending') return { kind: 'pending', wakeNs: Math.min(s.wakeNs ?? endNs, endNs), next: bounded(s.next, endNs) };
      return s;
    },
    update: (ctx, e, t) => bounded(cur.update(ctx, e, t), endNs),
  });
  return {
    op: (ctx) => bounded(gen, ctx.timeNs + durationNs).op(ctx),
    update: (ctx, e, t) => timeLimit(durationNs, gen.update(ctx, e, t)),
  };
}

/**
 * Spaces gen's ops `meanNs` apart on average (uniform in [0, 2·mean]), across all threads it
 * serves: stagger(1e9 / rateHz, …) gives about rateHz ops per second.
 */
export function stagger(meanNs: number, gen: Generator): Generator {
  const spaced = (cur: Generator, nextNs: number | undefined): Generator => ({
    op(ctx) {
      const s = cur.op(ctx);
      if (s.kind !== 'op') return s.kind === 'pending' ? { ...s, next: spaced(s.next, nextNs) } : s;
      const at = Math.max(nextNs ?? ctx.timeNs, s.op.timeNs ?? ctx.timeNs, ctx.timeNs);
      const gap = Math.round(ctx.rng.float() * 2 * meanNs);
      return { ...s, op: { ...s.op, timeNs: at }, next: spaced(s.next, at + gap) };
    },
    update: (ctx, e, t) => spaced(cur.update(ctx, e, t), nextNs),
  });
  return spaced(gen, undefined);
}

/** No ops; done `durationNs` after it is first asked. */
export function sleep(durationNs: number): Generator {
  const until = (endNs: number): Generator => ({
    op: (ctx) => (ctx.timeNs >= endNs ? DONE : { kind: 'pending', wakeNs: endNs, next: until(endNs) }),
    update: () => until(endNs),
  });
  return { op: (ctx) => until(ctx.timeNs + durationNs).op(ctx), update: () => sleep(durationNs) };
}

/**
 * Each generator in turn; the next starts only when the previous is done and every op it
 * started has completed (a barrier, as Jepsen's phases).
 */
export function phases(...gens: Generator[]): Generator {
  const run = (i: number, cur: Generator): Generator => ({
    op(ctx) {
      if (i >= gens.length) return DONE;
      const s = cur.op(ctx);
      if (s.kind !== 'done') return { ...s, next: run(i, s.next) };
      if (ctx.free.length < ctx.threads.length) return { kind: 'pending', next: run(i, cur) };
      return i + 1 < gens.length ? run(i + 1, gens[i + 1]!).op(ctx) : DONE;
    },
    update: (ctx, e, t) => run(i, cur.update(ctx, e, t)),
  });
  return gens.length === 0 ? nothing : run(0, gens[0]!);
}

/** A random one of the generators for each op (the seeded RNG picks); done when all are. */
export function mix(gens: Generator[]): Generator {
  const live = (gs: Generator[]): Generator => ({
    op(ctx) {
      let remaining = gs;
      let pending: Step | undefined;
      while (remaining.length > 0) {
        const i = ctx.rng.int(0, remaining.length - 1);
        const s = remaining[i]!.op(ctx);
        if (s.kind === 'op') return { ...s, next: live(gs.map((g) => (g === remaining[i] ? s.next : g))) };
        if (s.kind === 'pending') pending ??= s;
        remaining = remaining.filter((_, j) => j !== i);
      }
      if (pending) return { kind: 'pending', wakeNs: pending.kind === 'pending' ? pending.wakeNs : undefined, next: live(gs) };
      return DONE;
    },
    update: (ctx, e, t) => live(gs.map((g) => g.update(ctx, e, t))),
  });
  return live(gens);
}

/** gen sees only the client threads. */
export function onClients(gen: Generator): Generator {
  return onThreads((t) => t !== 'nemesis', gen);
}

/** gen sees only the nemesis thread. */
export function onNemesis(gen: Generator): Generator {
  return onThreads((t) => t === 'nemesis', gen);
}

function onThreads(keep: (t: Thread) => boolean, gen: Generator): Generator {
  return {
    op(ctx) {
      const s = gen.op(withThreads(ctx, keep));
      if (s.kind === 'done') return s;
      return { ...s, next: onThreads(keep, s.next) };
    },
    update: (ctx, e, t) => (keep(t) ? onThreads(keep, gen.update(withThreads(ctx, keep), e, t)) : onThreads(keep, gen)),
  };
}

/** Ops from whichever generator has one now (earliest start time wins); done when all are done. */
export function any(gens: Generator[]): Generator {
  const all = (gs: Generator[]): Generator => ({
    op(ctx) {
      let best: { i: number; s: Extract<Step, { kind: 'op' }> } | undefined;
      let wakeNs: number | undefined;
      let anyLive = false;
      gs.forEach((g, i) => {
        const s = g.op(ctx);
        if (s.kind === 'done') return;
        anyLive = true;
        if (s.kind === 'pending') {
          if (s.wakeNs !== undefined) wakeNs = Math.min(wakeNs ?? Infinity, s.wakeNs);
          return;
        }
        if (!best || (s.op.timeNs ?? ctx.timeNs) < (best.s.op.timeNs ?? ctx.timeNs)) best = { i, s };
      });
      if (best) {
        const chosen = best;
        return { ...chosen.s, next: all(gs.map((g, j) => (j === chosen.i ? chosen.s.next : g))) };
      }
      return anyLive ? { kind: 'pending', wakeNs, next: all(gs) } : DONE;
    },
    update: (ctx, e, t) => all(gs.map((g) => g.update(ctx, e, t))),
  });
  return all(gens);
}

/** A separate copy of make(thread)'s generator for each client thread. */
export function eachThread(make: (thread: Thread) => Generator): Generator {
  const per = (gens: Map<Thread, Generator>): Generator => ({
    op(ctx) {
      let pending = false;
      let wakeNs: number | undefined;
      for (const thread of ctx.threads) {
        if (thread === 'nemesis') continue;
        const g = gens.get(thread) ?? make(thread);
        const s = g.op({ ...ctx, free: ctx.free.includes(thread) ? [thread] : [] });
        if (s.kind === 'op') return { ...s, next: per(new Map(gens).set(thread, s.next)) };
        if (s.kind === 'pending') {
          pending = true;
          if (s.wakeNs !== undefined) wakeNs = Math.min(wakeNs ?? Infinity, s.wakeNs);
        }
      }
      return pending ? { kind: 'pending', wakeNs, next: per(gens) } : DONE;
    },
    update(ctx, e, t) {
      const g = gens.get(t) ?? make(t);
      return per(new Map(gens).set(t, g.update(ctx, e, t)));
    },
  });
  return per(new Map());
}

/**
 * gen's ops until one of them completes `ok`; then done. (E.g. a final read retried until it
 * succeeds — bound it with limit or timeLimit.)
 */
export function untilOk(gen: Generator): Generator {
  const watch = (cur: Generator, mine: ReadonlySet<Thread>, okSeen: boolean): Generator => ({
    op(ctx) {
      if (okSeen) return DONE;
      const s = cur.op(ctx);
      if (s.kind === 'op') return { ...s, next: watch(s.next, new Set(mine).add(s.thread), false) };
      if (s.kind === 'pending') return { ...s, next: watch(s.next, mine, false) };
      return s;
    },
    update(ctx, e, t) {
      const next = cur.update(ctx, e, t);
      if (!mine.has(t) || e.type === 'invoke') return watch(next, mine, okSeen);
      const rest = new Set(mine);
      rest.delete(t);
      return watch(next, rest, okSeen || e.type === 'ok');
    },
  });
  return watch(gen, new Set(), false);
}

/** Maps every op gen produces. */
export function map(f: (inv: Invocation, ctx: GenContext) => Invocation, gen: Generator): Generator {
  return {
    op(ctx) {
      const s = gen.op(ctx);
      if (s.kind === 'op') return { ...s, op: f(s.op, ctx), next: map(f, s.next) };
      if (s.kind === 'pending') return { ...s, next: map(f, s.next) };
      return s;
    },
    update: (ctx, e, t) => map(f, gen.update(ctx, e, t)),
  };
}

/** A fixed sequence of generators or invocations, each run to completion (no barrier). */
export function seq(...items: (Generator | Invocation)[]): Generator {
  const gens = items.map((x) => ('op' in x && typeof x.op === 'function' ? (x as Generator) : once(x as Invocation)));
  const at = (i: number, cur: Generator | undefined): Generator => ({
    op(ctx) {
      let k = i;
      let g = cur ?? gens[k];
      while (g) {
        const s = g.op(ctx);
        if (s.kind === 'op') return { ...s, next: at(k, s.next) };
        if (s.kind === 'pending') return { ...s, next: at(k, s.next) };
        k++;
        g = gens[k];
      }
      return DONE;
    },
    update: (ctx, e, t) => at(i, (cur ?? gens[i])?.update(ctx, e, t)),
  });
  return at(0, undefined);
}

/** Jepsen's name for eachThread: a separate copy of the generator per client thread. */
export const eachProcess = eachThread;
