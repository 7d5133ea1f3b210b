// The interpreter: runs a generator against workers — one per client thread, plus the nemesis —
// recording every invoke and completion as it happens.
//
// Rules, as Jepsen's: a thread runs one op at a time; an op that times out, or whose client
// throws, completes `info` (its outcome is unknown), and the thread's process is retired — the
// thread carries on as process p + concurrency. The nemesis is never retired. Every invoke gets a
// completion: on abort (Ctrl-C, time limit) in-flight ops are told to stop and complete `info`.

import type { Op, Process } from '../core/op.js';
import type { GenContext, Generator, Invocation, Thread } from '../generator/index.js';
import type { Rng } from '../core/rng.js';

/** What a worker reports for one op. */
export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
  node?: string;
}

/** A client (or the nemesis) bound to one thread. */
export interface Worker {
  invoke(inv: Invocation, signal: AbortSignal): Promise<Completion>;
}

export interface InterpreterOptions {
  generator: Generator;
  /** Client threads 0..concurrency-1. */
  concurrency: number;
  /** The worker of each client thread (created once per thread). */
  client: (thread: number) => Worker;
  nemesis?: Worker;
  /** Called with every op in index order; may return a promise to push back (a full sink). */
  record: (op: Op) => void | Promise<void>;
  /** The workload's stream: each thread's own stream is forked from it, in thread order. */
  rng: Rng;
  /** A client op still running after this completes `info` with error "timeout". */
  opTimeoutMs: number;
  /** A nemesis op's own deadline (default: 10 minutes); a fault's op is never cut at a client's timeout. */
  nemesisTimeoutMs?: number;
  signal?: AbortSignal;
  /** ns since the run started; defaults to a monotonic clock from the interpreter's start. */
  clock?: () => number;
  /** Index of the first op (to continue a history). */
  firstIndex?: number;
}

export interface InterpreterResult {
  /** Ops recorded (invokes and completions). */
  recorded: number;
  /** True when the signal stopped the run before the generator was done. */
  aborted: boolean;
  nextIndex: number;
}

interface Running {
  thread: Thread;
  inv: Invocation;
  controller: AbortController;
  deadlineMs: number;
  settled: boolean;
}

interface Finished {
  thread: Thread;
  inv: Invocation;
  completion: Completion;
}

function monotonicClock(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start);
}

function byThread(a: Thread, b: Thread): number {
  if (a === 'nemesis') return b === 'nemesis' ? 0 : 1;
  if (b === 'nemesis') return -1;
  return a - b;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs the generator to the end (or until the signal aborts); resolves when every op completed. */
export async function interpret(opts: InterpreterOptions): Promise<InterpreterResult> {
  const now = opts.clock ?? monotonicClock();
  const threads: Thread[] = [...Array(opts.concurrency).keys()];
  if (opts.nemesis) threads.push('nemesis');
  const workers = new Map<Thread, Worker>();
  for (let t = 0; t < opts.concurrency; t++) workers.set(t, opts.client(t));
  if (opts.nemesis) workers.set('nemesis', opts.nemesis);
  const timeoutOf = (t: Thread) => (t === 'nemesis' ? (opts.nemesisTimeoutMs ?? 600_000) : opts.opTimeoutMs);
  const processOf = new Map<Thread, Process>(threads.map((t) => [t, t]));
  const free = new Set<Thread>(threads);
  const controllers = new Map<Thread, AbortController>();
  const running = new Map<Thread, Running>();
  const finished: Finished[] = [];
  let gen = opts.generator;
  let index = opts.firstIndex ?? 0;
  let recorded = 0;
  let wake: (() => void) | undefined;
  let aborted = false;

  // One stream per thread, forked in thread order before anything runs: a thread's k-th op is drawn
  // from its own stream after its k-1 earlier ops, whatever the other threads did meanwhile. A
  // step is asked with a copy of the stream; the copy is kept only when the op is actually given.
  const streams = new Map<Thread, Rng>(threads.map((t) => [t, opts.rng.fork()]));
  const given = new Map<Thread, number>(threads.map((t) => [t, 0]));
  const candidate = (): Thread => [...free].sort(byThread)[0] ?? threads[0]!;
  const ctxFor = (thread: Thread, freeNow: Thread[]): GenContext & { rng: Rng } => ({
    timeNs: now(),
    free: freeNow,
    threads,
    rng: streams.get(thread)!.clone(),
    nth: given.get(thread)!,
  });
  const ctxNow = (): GenContext => ctxFor(candidate(), [...free].sort(byThread));
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Completes a running op once; a later answer from an abandoned attempt is ignored. */
  const settle = (r: Running, completion: Completion) => {
    if (r.settled) return;
    r.settled = true;
    running.delete(r.thread);
    finished.push({ thread: r.thread, inv: r.inv, completion });
    notify();
  };
  /** Gives up on an op: it completes info now, and its client is told to stop. */
  const abandon = (r: Running, reason: string) => {
    settle(r, { type: 'info', error: reason });
    r.controller.abort(new Error(reason));
  };
  const onAbort = () => {
    aborted = true;
    for (const r of [...running.values()]) abandon(r, 'aborted');
    notify();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  // One sweep for all op timeouts: cheaper than a timer per op at tens of thousands of ops/s.
  const sweep = setInterval(() => {
    const t = Date.now();
    for (const r of [...running.values()]) if (t >= r.deadlineMs) abandon(r, `timeout after ${timeoutOf(r.thread)} ms`);
  }, Math.max(5, Math.min(100, opts.opTimeoutMs / 4)));

  /** Waits for a completion, the abort signal, or time wakeNs — whichever is first. */
  const nextEvent = (wakeNs?: number): Promise<void> => {
    if (finished.length > 0 || (aborted && running.size === 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      if (wakeNs !== undefined && !aborted) timer = setTimeout(notify, Math.max(0, (wakeNs - now()) / 1e6));
    });
  };

  const start = (thread: Thread, inv: Invocation) => {
    let controller = controllers.get(thread);
    if (!controller || controller.signal.aborted) controllers.set(thread, (controller = new AbortController()));
    const r: Running = { thread, inv, controller, deadlineMs: Date.now() + timeoutOf(thread), settled: false };
    running.set(thread, r);
    try {
      workers.get(thread)!.invoke(inv, controller.signal).then(
        (completion) => settle(r, completion),
        (err: unknown) => settle(r, { type: 'info', error: errorText(err) }),
      );
    } catch (err) {
      settle(r, { type: 'info', error: errorText(err) });
    }
  };

  const complete = async (f: Finished) => {
    const process = processOf.get(f.thread)!;
    let { type } = f.completion;
    if (f.thread === 'nemesis' || !['ok', 'fail', 'info'].includes(type)) type = 'info';
    const op: Op = { index: index++, type, process, f: f.inv.f, value: f.completion.value === undefined ? f.inv.value : f.completion.value, timeNs: now() };
    if (f.completion.node !== undefined) op.node = f.completion.node;
    if (f.completion.error !== undefined) op.error = f.completion.error;
    recorded++;
    const pushBack = opts.record(op);
    if (pushBack) await pushBack;
    free.add(f.thread);
    gen = gen.update(ctxNow(), op, f.thread);
    if (type === 'info' && f.thread !== 'nemesis') processOf.set(f.thread, (process as number) + opts.concurrency);
  };

  try {
    for (;;) {
      while (finished.length > 0) await complete(finished.shift()!);
      if (aborted) {
        if (running.size === 0) break;
        await nextEvent();
        continue;
      }
      let drawnFor = candidate();
      let ctx = ctxNow();
      let step = gen.op(ctx);
      for (let tries = 0; tries < 3 && step.kind === 'op' && step.thread !== drawnFor && free.has(step.thread); tries++) {
        // The generator chose another thread than the one whose stream it drew from: ask again,
        // same free threads, with the chosen thread's own stream (thread choice rarely depends on
        // the stream, so this settles at once).
        drawnFor = step.thread;
        ctx = ctxFor(drawnFor, [...free].sort(byThread));
        step = gen.op(ctx);
      }
      if (step.kind === 'done') {
        if (running.size === 0) break;
        await nextEvent();
        continue;
      }
      if (step.kind === 'pending') {
        gen = step.next; // e.g. a sleep's deadline, fixed when first asked
        await nextEvent(step.wakeNs);
        continue;
      }
      const startNs = step.op.timeNs ?? ctx.timeNs;
      if (startNs > ctx.timeNs + 50_000) {
        // Not yet. If nothing completes meanwhile, this very step goes out on time (so state the
        // generator fixed when asked, like a time limit, is kept); if something completes first,
        // the generator hears of it and is asked again.
        await nextEvent(startNs);
        if (finished.length > 0 || aborted || now() < startNs - 50_000) continue;
      }
      if (!free.has(step.thread)) throw new Error(`generator gave an op to busy thread ${String(step.thread)}`);
      gen = step.next;
      const invokeNs = now();
      // Its time limit passed while we waited (a timer fired late): drop it; the limited
      // generator is done from here on.
      if (step.op.deadlineNs !== undefined && invokeNs >= step.op.deadlineNs) continue;
      free.delete(step.thread);
      if (step.thread === drawnFor) streams.set(step.thread, (ctx as GenContext & { rng: Rng }).rng);
      given.set(step.thread, given.get(step.thread)! + 1);
      const invoke: Op = { index: index++, type: 'invoke', process: processOf.get(step.thread)!, f: step.op.f, value: step.op.value, timeNs: invokeNs };
      recorded++;
      const pushBack = opts.record(invoke);
      if (pushBack) await pushBack;
      gen = gen.update(ctxNow(), invoke, step.thread);
      start(step.thread, { f: step.op.f, value: step.op.value });
    }
  } catch (err) {
    // A generator or recorder bug: stop issuing, but still complete every op in flight so the
    // history stays well formed, then report the error.
    onAbort();
    while (running.size > 0 || finished.length > 0) {
      while (finished.length > 0) await complete(finished.shift()!).catch(() => {});
      if (running.size > 0) await nextEvent();
    }
    throw err;
  } finally {
    clearInterval(sweep);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { recorded, aborted, nextIndex: index };
}
