// Decides one independent key: prune crashed calls, search growing real-time prefixes so an early
// violation is found without exploring the rest, then the whole; explain a violation.

import type { Validity } from '../src/core/validity.js';
import type { AnyModel } from './model.js';
import { explain, summarize, type Explanation, type OpSummary } from './explain.js';
import { decodePairs, decodeRows, prefixCalls, pruneCrashed, type Calls, type KeyPairs, type PruneReport, type RowItem } from './prepare.js';
import { searchLinearization, type SearchLimits, type SearchOutcome } from './wgl.js';

export interface KeyVerdict {
  key: string;
  valid: Validity;
  /** Calls of this key (invoke/completion pairs that happened or may have). */
  ops: number;
  pruned: PruneReport;
  /** Configurations the search cached (its memory use). */
  configurations: number;
  /** For `unknown`: which budget ran out, how far the search got, and what would likely decide it. */
  unknown?: UnknownProgress;
  explanation?: Explanation;
}

/** How far an undecided key's search got. */
export interface UnknownProgress {
  reason: 'time' | 'memory' | 'stopped';
  /** Completed calls the furthest partial linearization placed, of all completed calls of the key. */
  linearized: number;
  of: number;
  /** Configurations explored and time spent on this key. */
  configurations: number;
  elapsedMs: number;
  /** The first completed op the furthest partial linearization had not placed (where it stalled). */
  stalledAt?: OpSummary;
  /**
   * A rough extrapolation from the progress made (twice the spend divided by the fraction of
   * completed ops placed): the time budget and configuration bound that would likely decide it.
   * Search is not linear, so this is a hint, never a promise.
   */
  suggested: { budgetMs: number; maxConfigurations: number };
}

export interface KeyCheckOptions {
  limits: SearchLimits;
  /** Shrinking stops at this performance.now() value (the verdict stays false). */
  explainDeadlineMs: number;
  explain: boolean;
}

/** Below this many calls the prefix search is not worth its overhead. */
const FIRST_PREFIX = 256;

/** A prefix may turn at most this many completed impure calls into crashed ones (each can double its search). */
const MAX_CUT_RUNNING = 8;

/**
 * The position of a cut near call `size` where few completed calls are running (those would
 * read as crashed in the prefix and multiply its search), or undefined when there is none.
 * `returns` is the sorted list of finite return positions of impure calls; `notCountedBefore[m]`
 * counts the pure or crashed calls among the first m.
 */
function quietCut(calls: Calls, size: number, returns: Float64Array, notCountedBefore: Int32Array): number | undefined {
  let bestCut: number | undefined;
  let bestRunning = MAX_CUT_RUNNING + 1;
  const end = Math.min(calls.length - 1, size + (size >>> 1));
  for (let m = size; m <= end && bestRunning > 0; m++) {
    const cut = calls[m]!.callAt;
    // Impure completed calls invoked before the cut (the first m) minus those returned by it.
    let lo = 0;
    let hi = returns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (returns[mid]! < cut) lo = mid + 1;
      else hi = mid;
    }
    const running = m - notCountedBefore[m]! - lo;
    if (running < bestRunning) {
      bestRunning = running;
      bestCut = cut;
    }
  }
  return bestCut;
}

/** One key's calls, decoded and pruned, ready to search. */
export interface PreparedKey {
  key: string;
  /** Calls before pruning. */
  ops: number;
  calls: Calls;
  pruned: PruneReport;
  /** model.certainViolation's answer once computed (null: none), so it is computed once per key. */
  certain?: number | null;
}

/** model.certainViolation of a prepared key, computed once. */
function certainOf(model: AnyModel, prepared: PreparedKey): number | undefined {
  if (prepared.certain === undefined) prepared.certain = model.certainViolation?.(prepared.calls) ?? null;
  return prepared.certain ?? undefined;
}

export function prepareKey(model: AnyModel, item: KeyPairs | RowItem): PreparedKey {
  const decoded = 'pairs' in item ? decodePairs(model, item.pairs) : decodeRows(model, item);
  const { calls, report } = pruneCrashed(model, decoded);
  return { key: item.key, ops: decoded.length, calls, pruned: report };
}

/** True when the model proves the key non-linearizable without search (see certainViolation). */
export function hasCertainViolation(model: AnyModel, prepared: PreparedKey): boolean {
  return certainOf(model, prepared) !== undefined;
}

export function checkKey(model: AnyModel, item: KeyPairs | RowItem | PreparedKey, options: KeyCheckOptions): KeyVerdict {
  const started = performance.now();
  const prepared = 'calls' in item ? item : prepareKey(model, item);
  const { calls } = prepared;
  const base = { key: prepared.key, ops: prepared.ops, pruned: prepared.pruned };
  let failing: Calls = calls;
  let outcome: SearchOutcome | undefined;
  let searched: Calls = calls;
  let configurations = 0;
  // A certain violation found without search decides at once (the search would have to exhaust
  // every configuration before it, which at high concurrency can exceed any budget).
  const certain = certainOf(model, prepared);
  if (certain !== undefined) {
    const verdict: KeyVerdict = { ...base, valid: false, configurations: 0 };
    if (options.explain) {
      // The furthest partial linearization, from a short search (its verdict is not needed).
      const limits = { ...options.limits, deadlineMs: Math.min(options.explainDeadlineMs, performance.now() + 2000), maxCacheEntries: 200_000 };
      const upTo = calls.filter((c) => c.callAt <= calls[certain]!.returnAt);
      const out = searchLinearization(model, upTo, limits);
      const best = out.verdict === true ? { order: [], states: [] } : out.best;
      verdict.explanation = explain(model, upTo, best, upTo.indexOf(calls[certain]!), { ...options.limits, deadlineMs: options.explainDeadlineMs }, calls);
    }
    return verdict;
  }
  // Ordering for violations: a non-linearizable prefix proves the whole non-linearizable (every
  // prefix of a linearizable history is linearizable, running calls read as crashed), and a
  // short prefix is searched far faster than the whole. Doubling keeps the extra work under 2×.
  // Only impure calls count as running at a cut: pure ones (reads) that read as crashed in the
  // prefix are dropped by pruneCrashed, so they cost nothing.
  const impure = calls.map((c) => model.isPure?.(c.input, c.output) !== true);
  const returns = Float64Array.from(calls.filter((c, i) => impure[i] && c.returnAt !== Infinity).map((c) => c.returnAt)).sort();
  const notCountedBefore = new Int32Array(calls.length + 1);
  calls.forEach((c, i) => (notCountedBefore[i + 1] = notCountedBefore[i]! + (!impure[i] || c.returnAt === Infinity ? 1 : 0)));
  for (let size = FIRST_PREFIX; size < calls.length; size *= 2) {
    const cut = quietCut(calls, size, returns, notCountedBefore);
    if (cut === undefined) continue;
    const prefix = pruneCrashed(model, prefixCalls(calls, cut)).calls;
    const out = searchLinearization(model, prefix, options.limits);
    configurations += out.configurations;
    if (out.verdict === true) continue;
    outcome = out;
    searched = prefix;
    // The same calls at full strength (real outputs and returns) are non-linearizable too: any
    // linearization of them would be one of the weakened prefix.
    failing = calls.filter((c) => c.callAt < cut);
    break;
  }
  if (!outcome) {
    outcome = searchLinearization(model, calls, options.limits);
    configurations += outcome.configurations;
  }
  if (outcome.verdict === true) return { ...base, valid: true, configurations };
  if (outcome.verdict === 'unknown') {
    // Progress in completed calls of the whole key (a prefix search places calls of its prefix).
    const required = calls.filter((c) => c.returnAt !== Infinity).length;
    const placed = new Set(outcome.best.order.map((i) => searched[i]!.invoke.index));
    const linearized = outcome.best.order.filter((i) => searched[i]!.returnAt !== Infinity).length;
    let stalled: Calls[number] | undefined;
    for (const c of calls) if (c.returnAt !== Infinity && !placed.has(c.invoke.index) && (!stalled || c.returnAt < stalled.returnAt)) stalled = c;
    const elapsedMs = performance.now() - started;
    const factor = 2 / Math.max(0.02, linearized / Math.max(1, required));
    const unknown: UnknownProgress = {
      reason: outcome.reason,
      linearized,
      of: required,
      configurations,
      elapsedMs: Math.round(elapsedMs),
      suggested: { budgetMs: Math.ceil((elapsedMs * factor) / 1000) * 1000, maxConfigurations: Math.ceil((configurations * factor) / 1e5) * 1e5 },
    };
    if (stalled) unknown.stalledAt = summarize(model, stalled);
    return { ...base, valid: 'unknown', configurations, unknown };
  }
  const verdict: KeyVerdict = { ...base, valid: false, configurations };
  if (options.explain) {
    // When a prefix failed, its partial linearization indexes the weakened prefix; re-run on the
    // full-strength calls so indexes and outputs in the report are the real ones.
    let { best, blocker } = outcome;
    if (failing !== calls) {
      const again = searchLinearization(model, failing, { ...options.limits, deadlineMs: options.explainDeadlineMs });
      if (again.verdict === false) ({ best, blocker } = again);
      else ({ best, blocker } = { best: { order: [], states: [] }, blocker: undefined });
    }
    verdict.explanation = explain(model, failing, best, blocker, { ...options.limits, deadlineMs: options.explainDeadlineMs }, calls);
  }
  return verdict;
}
