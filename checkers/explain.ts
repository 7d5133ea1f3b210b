// Explanations of a non-linearizable key for people: the longest linearizable prefix the search
// found, the op where every candidate linearization died, and a minimal non-linearizable
// sub-history (no single op can be removed) described in words.

import type { AnyModel } from './model.js';
import { UNKNOWN_OUTPUT } from './model.js';
import { pruneCrashed, unbound, type Calls } from './prepare.js';
import { searchLinearization, type PartialLinearization, type SearchLimits } from './wgl.js';

/** One op as a report shows it. */
export interface OpSummary {
  /** The invoke op's index in the history. */
  index: number;
  process: number | 'nemesis';
  /** In the model's words, e.g. "read of 3", "cas 1→2 (returned false)". */
  description: string;
  invokedAtNs: number;
  /** Absent when the op crashed (info) or never completed. */
  completedAtNs?: number;
}

export interface Explanation {
  /** The completed op that had to take effect next in the furthest partial linearization, but could not. */
  diedAt?: OpSummary;
  /** The longest linearizable prefix found: ops in order with the state after each. */
  partialLinearization: { op: OpSummary; stateAfter: string }[];
  /** A non-linearizable sub-history from which no single op can be removed (when `minimal`). */
  minimalOps: OpSummary[];
  /** False when the shrinking ran out of time: `minimalOps` is then still non-linearizable, just not minimal. */
  minimal: boolean;
  /** Why the minimal sub-history is impossible, in words. */
  text: string;
}

export function summarize(model: AnyModel, call: Calls[number]): OpSummary {
  const s: OpSummary = {
    index: call.invoke.index,
    process: call.invoke.process,
    description: model.describeCall(call.input, call.output),
    invokedAtNs: call.invoke.timeNs,
  };
  if (call.completion) s.completedAtNs = call.completion.timeNs;
  return s;
}

/**
 * A history time for people: ns, µs, ms or s, as the report draws them. Every `t=` in an
 * explanation is time since the run (or the imported history) started — see T_ORIGIN.
 */
export function humanTime(ns: number): string {
  const ms = ns / 1e6;
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) >= 100) return `${ms.toFixed(0)} ms`;
  if (Math.abs(ms) >= 1) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ns) >= 1000) return `${(ns / 1000).toFixed(0)} µs`;
  return `${ns} ns`;
}

/** What `t=` is relative to, said once after each explanation. */
export const T_ORIGIN = 't = time since the run started';

const t = (ns: number | undefined): string => (ns === undefined ? 't=?' : `t=${humanTime(ns)}`);

function when(s: OpSummary): string {
  return s.completedAtNs === undefined ? `invoked at ${t(s.invokedAtNs)}` : `${t(s.invokedAtNs)}–${humanTime(s.completedAtNs)}`;
}

function who(s: OpSummary): string {
  return `${s.description} by process ${s.process} (op ${s.index}, ${when(s)})`;
}

/** True when the search proves `calls` non-linearizable within the limits. */
function provablyNotLinearizable(model: AnyModel, calls: Calls, limits: SearchLimits): boolean | 'unknown' {
  const out = searchLinearization(model, pruneCrashed(model, unbound(calls)).calls, limits);
  return out.verdict === 'unknown' ? 'unknown' : out.verdict === false;
}

/** True when every value a call observed is written by some call of `calls` (or is initial). */
export function isSourced(model: AnyModel, calls: Calls): boolean {
  if (!model.needs || !model.provides) return true;
  const provided = new Set<string>();
  for (const c of calls) for (const t of model.provides(c.input, c.output)) provided.add(t);
  return calls.every((c) => model.needs!(c.input, c.output).every((t) => provided.has(t)));
}

/**
 * Honesty. A sub-history shown as a counterexample must be non-linearizable *for the reason it
 * states*, so it keeps every writer any kept call could have observed in the full history: a
 * writer of a value the call observed (a token it needs), invoked before the call returned, and
 * not certainly overwritten before the call was invoked (a completed call setting another value
 * was invoked after the writer returned and returned before the call was invoked). Crashed and
 * pending writers are never certainly overwritten. Without this, a read of 2 with a pending
 * `write 2` could be "explained" by deleting that write: "read of 2 … the register holds nil
 * initially" — minimal, non-linearizable, and false about the real history. Models without
 * tokens (no needs/provides) have nothing to keep.
 */
export class Observability {
  private readonly providers = new Map<string, Calls>();
  private readonly overwriters = new Map<string, { callAt: Float64Array; minReturn: Float64Array }>();
  private readonly required = new Map<Calls[number], Calls>();
  private readonly setters: Calls;

  constructor(private readonly model: AnyModel, private readonly pool: Calls) {
    if (model.provides) {
      for (const c of pool) {
        for (const t of model.provides(c.input, c.output)) {
          const list = this.providers.get(t) ?? [];
          if (list.length === 0) this.providers.set(t, list);
          list.push(c);
        }
      }
      for (const list of this.providers.values()) list.sort((a, b) => a.callAt - b.callAt);
    }
    this.setters = model.sets ? pool.filter((c) => c.returnAt !== Infinity && model.sets!(c.input, c.output) !== undefined).sort((a, b) => a.callAt - b.callAt) : [];
  }

  /** Completed calls setting a value other than `token`, by invoke, with suffix minima of their returns. */
  private overwritersOf(token: string): { callAt: Float64Array; minReturn: Float64Array } {
    let o = this.overwriters.get(token);
    if (o) return o;
    const list = this.setters.filter((c) => this.model.sets!(c.input, c.output) !== token);
    const callAt = Float64Array.from(list.map((c) => c.callAt));
    const minReturn = new Float64Array(list.length + 1).fill(Infinity);
    for (let i = list.length - 1; i >= 0; i--) minReturn[i] = Math.min(minReturn[i + 1]!, list[i]!.returnAt);
    o = { callAt, minReturn };
    this.overwriters.set(token, o);
    return o;
  }

  /** True when a writer of `token` that returned at `writerReturn` was certainly overwritten before `before`. */
  private overwritten(token: string, writerReturn: number, before: number): boolean {
    if (writerReturn === Infinity || !this.model.sets) return false;
    const { callAt, minReturn } = this.overwritersOf(token);
    let lo = 0;
    let hi = callAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (callAt[mid]! > writerReturn) hi = mid;
      else lo = mid + 1;
    }
    return minReturn[lo]! < before;
  }

  /** The calls of the pool whose writes `reader` could have observed. */
  observedBy(reader: Calls[number]): Calls {
    let out = this.required.get(reader);
    if (out) return out;
    const found = new Set<Calls[number]>();
    for (const t of this.model.needs?.(reader.input, reader.output) ?? []) {
      for (const w of this.providers.get(t) ?? []) {
        if (w.callAt >= reader.returnAt) break;
        if (w !== reader && !this.overwritten(t, w.returnAt, reader.callAt)) found.add(w);
      }
    }
    if (this.model.observes && reader.output !== UNKNOWN_OUTPUT) {
      for (const w of this.pool) {
        if (w.callAt >= reader.returnAt) break;
        if (w !== reader && this.model.observes(reader, w)) found.add(w);
      }
    }
    out = [...found];
    this.required.set(reader, out);
    return out;
  }

  /** True when every writer a call of `calls` could have observed is in `calls`. */
  isHonest(calls: Calls): boolean {
    const kept = new Set(calls);
    return calls.every((c) => this.observedBy(c).every((w) => kept.has(w)));
  }

  /**
   * `window` plus every writer its calls could have observed, plus (to stay sourced) the last
   * writer of each value a kept call observed that no kept call writes, repeatedly; in pool order.
   * Calls whose observed values no call of the pool writes are dropped (see isSourced).
   */
  close(window: Calls): Calls {
    const kept = new Set(window);
    const todo = [...window];
    const add = (c: Calls[number]): void => {
      if (kept.has(c)) return;
      kept.add(c);
      todo.push(c);
    };
    while (todo.length > 0) {
      const c = todo.pop()!;
      const observed = this.observedBy(c);
      observed.forEach(add);
      for (const t of this.model.needs?.(c.input, c.output) ?? []) {
        const providers = this.providers.get(t) ?? [];
        if (providers.some((p) => kept.has(p))) continue;
        // Stale: every writer of t was overwritten; keep the last one that could precede c.
        const source = providers.findLast((p) => p.callAt < c.returnAt) ?? providers.at(-1);
        if (source) add(source);
      }
    }
    let out = this.pool.filter((c) => kept.has(c));
    if (this.model.needs && this.model.provides) {
      // Unsourced calls (and, transitively, what only they required) are left out.
      const provided = new Set(out.flatMap((c) => this.model.provides!(c.input, c.output)));
      out = out.filter((c) => this.model.needs!(c.input, c.output).every((t) => provided.has(t)));
      while (!this.isHonest(out)) {
        const set = new Set(out);
        out = out.filter((c) => this.observedBy(c).every((w) => set.has(w)));
      }
    }
    return out;
  }
}

/**
 * Shrinks a non-linearizable set of calls: removes chunks, then single calls, while the rest
 * stays non-linearizable, honest (see Observability) and sourced (see isSourced), until no single
 * call can be removed. Repeats single-call passes to a fixpoint because removing one op can make
 * another removable (histories are not monotone; a crashed write can go once its reader has).
 * `calls` must itself be honest.
 */
export function shrink(model: AnyModel, calls: Calls, limits: SearchLimits, observability?: Observability): { calls: Calls; minimal: boolean } {
  let current = calls;
  let minimal = true;
  // Keep observed values sourced when the start is: else "read of 1" alone, with every write of 1
  // removed, would be the answer: minimal, but it explains nothing.
  const keepSourced = isSourced(model, calls);
  const stillFails = (candidate: Calls): boolean => {
    if (keepSourced && !isSourced(model, candidate)) return false;
    if (observability && !observability.isHonest(candidate)) return false;
    const v = provablyNotLinearizable(model, candidate, limits);
    if (v === 'unknown') minimal = false;
    return v === true;
  };
  for (let chunk = Math.max(1, current.length >>> 1); ; chunk = Math.max(1, chunk >>> 1)) {
    let removed = false;
    for (let i = 0; i < current.length; ) {
      if (performance.now() > limits.deadlineMs) return { calls: current, minimal: false };
      const candidate = [...current.slice(0, i), ...current.slice(i + chunk)];
      if (candidate.length > 0 && stillFails(candidate)) {
        current = candidate;
        removed = true;
      } else i += chunk;
    }
    if (chunk === 1 && !removed) break;
  }
  return { calls: current, minimal };
}

/** Most configurations a window or shrink candidate may use: they are small, and many are tried. */
const EXPLAIN_CACHE = 200_000;
/** The least time windows get in all, even past the explanation's deadline. */
const WINDOW_FLOOR_MS = 1000;

/**
 * The smallest honest window leading up to where the search died (the last k calls invoked
 * before `died` returned, k = 4, 8, 16, …, closed under Observability.close) that is provably
 * non-linearizable: shrinking starts there instead of from thousands of calls, and when the
 * shrinking budget runs out this window is what is shown. Each window gets a slice of the time
 * left, so one hard window cannot eat the budget. Falls back to all of `pool` (non-linearizable,
 * and trivially honest).
 */
function smallWindow(model: AnyModel, pool: Calls, failing: Calls, died: Calls[number] | undefined, limits: SearchLimits, observability: Observability): Calls {
  const upTo = died === undefined ? failing : failing.filter((c) => c.callAt <= died.returnAt);
  const tried = new Set<number>();
  // Windows are small and usually decided in microseconds: even when the explanation's time is
  // already up they get a short floor (at most WINDOW_FLOOR_MS in all), so that what is shown
  // is a small honest window rather than the whole key.
  const floorEnds = performance.now() + WINDOW_FLOOR_MS;
  for (let k = 4; ; k *= 2) {
    const window = observability.close(upTo.slice(Math.max(0, upTo.length - k)));
    if (!tried.has(window.length) && window.length > 0) {
      tried.add(window.length);
      const now = performance.now();
      const left = Math.max(limits.deadlineMs, floorEnds) - now;
      if (left <= 0) break;
      const sliced = { ...limits, deadlineMs: now + Math.max(Math.min(50, left), left / 4), maxCacheEntries: Math.min(limits.maxCacheEntries, EXPLAIN_CACHE * 4) };
      if (isSourced(model, window) && provablyNotLinearizable(model, window, sliced) === true) return window;
    }
    if (k >= upTo.length) break;
  }
  return pool;
}

/** Builds the explanation of a non-linearizable key from its search outcome and a shrink. */
export function explain(
  model: AnyModel,
  failing: Calls,
  best: PartialLinearization,
  blocker: number | undefined,
  limits: SearchLimits,
  /** All calls of the key (failing is a subset): what an honest sub-history must answer to. */
  pool: Calls = failing,
): Explanation {
  const partialLinearization = best.order.map((i, k) => ({
    op: summarize(model, failing[i]!),
    stateAfter: model.describeState(best.states[k]),
  }));
  const observability = new Observability(model, pool);
  const start = smallWindow(model, pool, failing, blocker === undefined ? undefined : failing[blocker], limits, observability);
  const shrinkLimits = { ...limits, maxCacheEntries: Math.min(limits.maxCacheEntries, EXPLAIN_CACHE) };
  const { calls: minimalCalls, minimal } = shrink(model, start, shrinkLimits, observability);
  const out: Explanation = {
    partialLinearization,
    minimalOps: minimalCalls.map((c) => summarize(model, c)),
    minimal,
    text: describeImpossibility(model, minimalCalls, limits),
  };
  if (blocker !== undefined) out.diedAt = summarize(model, failing[blocker]!);
  return out;
}

/**
 * Says in words why a small non-linearizable sub-history is impossible: the op the search could
 * not place, what real time forces before it, and the state those ops leave.
 */
export function describeImpossibility(model: AnyModel, shown: Calls, limits: SearchLimits): string {
  // Searched as shown: crashed calls optional again unless these calls themselves bind them.
  const calls = pruneCrashed(model, unbound(shown)).calls;
  const out = searchLinearization(model, calls, limits);
  if (out.verdict !== false || out.blocker === undefined) {
    return `no order of these ${calls.length} ops is legal for the ${model.name} model`;
  }
  const stuck = calls[out.blocker]!;
  const stuckS = summarize(model, stuck);
  const before = calls.filter((c) => c.returnAt < stuck.callAt).map((c) => summarize(model, c));
  const concurrent = calls.filter((c) => c !== stuck && c.returnAt > stuck.callAt && c.callAt < stuck.returnAt);
  const after = calls.filter((c) => c.callAt > stuck.returnAt).map((c) => summarize(model, c));
  const parts: string[] = [];
  if (before.length === 1) {
    parts.push(`${stuckS.description} at ${t(stuckS.invokedAtNs)} cannot follow ${before[0]!.description} which completed at ${t(before[0]!.completedAtNs)}`);
  } else if (before.length > 1) {
    parts.push(
      `${stuckS.description} at ${t(stuckS.invokedAtNs)} cannot follow ${before
        .map((b) => `${b.description} (completed ${t(b.completedAtNs)})`)
        .join(' and ')}`,
    );
  } else {
    parts.push(`${who(stuckS)} cannot take effect`);
  }
  if (after.length > 0) {
    parts.push(`; it completed at ${t(stuckS.completedAtNs)}, before ${after.map((a) => `${a.description} was invoked at ${t(a.invokedAtNs)}`).join(' and ')}`);
  }
  if (out.best.order.length > 0) {
    const last = out.best.states.at(-1);
    parts.push(
      `: in the furthest order consistent with real time, ${out.best.order
        .map((i) => summarize(model, calls[i]!).description)
        .join(' → ')}, after which ${model.describeState(last)}`,
    );
  } else {
    parts.push(`: ${model.describeState(model.init())} initially`);
  }
  if (concurrent.length > 0) {
    const crashed = concurrent.filter((c) => c.output === UNKNOWN_OUTPUT).length;
    parts.push(
      `, and no placement of the ${concurrent.length} concurrent op${concurrent.length > 1 ? 's' : ''}${
        crashed > 0 ? ` (${crashed} crashed, which may or may not have happened)` : ''
      } helps`,
    );
  }
  const text = `${parts.join('')}.`;
  return text.includes('t=') ? `${text} (${T_ORIGIN}.)` : text;
}
