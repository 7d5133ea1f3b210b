// Explanations of a non-linearizable key for people: the longest linearizable prefix the search
// found, the op where every candidate linearization died, and a minimal non-linearizable
// sub-history (no single op can be removed) described in words.

import type { AnyModel } from './model.js';
import { UNKNOWN_OUTPUT } from './model.js';
import { pruneCrashed, type Calls } from './prepare.js';
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
  const out = searchLinearization(model, pruneCrashed(model, calls).calls, limits);
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
 * Shrinks a non-linearizable set of calls: removes chunks, then single calls, while the rest
 * stays non-linearizable (and sourced, see isSourced), until no single call can be removed. Repeats single-call passes to a
 * fixpoint because removing one op can make another removable (histories are not monotone).
 */
export function shrink(model: AnyModel, calls: Calls, limits: SearchLimits): { calls: Calls; minimal: boolean } {
  let current = calls;
  let minimal = true;
  // Keep observed values sourced when the start is: else "read of 1" alone, with every write of 1
  // removed, would be the answer: minimal, but it explains nothing.
  const keepSourced = isSourced(model, calls);
  const stillFails = (candidate: Calls): boolean => {
    if (keepSourced && !isSourced(model, candidate)) return false;
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

/**
 * The shortest run of calls leading up to where the search died (the last k calls invoked
 * before `died` returned, k = 4, 8, 16, …) that is still non-linearizable and sourced: shrinking
 * starts there instead of from thousands of calls. Falls back to all of `calls`.
 */
function smallWindow(model: AnyModel, calls: Calls, died: Calls[number], limits: SearchLimits): Calls {
  const upTo = calls.filter((c) => c.callAt <= died.returnAt);
  for (let k = 4; k < upTo.length; k *= 2) {
    const window = withSources(model, upTo.slice(upTo.length - k), calls);
    if (isSourced(model, window) && provablyNotLinearizable(model, window, limits) === true) return window;
  }
  return calls;
}

/**
 * Adds to `window` the last call of `pool` providing each value some kept call observed but none
 * provides, repeatedly (a cas that provides 5 may itself need 4).
 */
function withSources(model: AnyModel, window: Calls, pool: Calls): Calls {
  if (!model.needs || !model.provides) return window;
  const kept = new Set(window);
  const provided = new Set<string>();
  const todo = [...window];
  for (const c of window) for (const t of model.provides(c.input, c.output)) provided.add(t);
  while (todo.length > 0) {
    const c = todo.pop()!;
    for (const t of model.needs(c.input, c.output)) {
      if (provided.has(t)) continue;
      provided.add(t);
      const source = pool.findLast((p) => !kept.has(p) && model.provides!(p.input, p.output).includes(t));
      if (!source) continue;
      kept.add(source);
      todo.push(source);
      for (const u of model.provides(source.input, source.output)) provided.add(u);
    }
  }
  // Calls whose observations no call anywhere provides are left out: the window must be sourced.
  const all = pool.filter((c) => kept.has(c));
  const providedAll = new Set(all.flatMap((c) => model.provides!(c.input, c.output)));
  return all.filter((c) => model.needs!(c.input, c.output).every((t) => providedAll.has(t)));
}

/** Builds the explanation of a non-linearizable key from its search outcome and a shrink. */
export function explain(
  model: AnyModel,
  failing: Calls,
  best: PartialLinearization,
  blocker: number | undefined,
  limits: SearchLimits,
): Explanation {
  const partialLinearization = best.order.map((i, k) => ({
    op: summarize(model, failing[i]!),
    stateAfter: model.describeState(best.states[k]),
  }));
  const start = blocker === undefined ? failing : smallWindow(model, failing, failing[blocker]!, limits);
  const { calls: minimalCalls, minimal } = shrink(model, start, limits);
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
export function describeImpossibility(model: AnyModel, calls: Calls, limits: SearchLimits): string {
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
