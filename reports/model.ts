// The page model: ReportData reshaped into what the page draws, compact enough to embed 100k ops
// (columns of numbers instead of one object per op; values pre-shortened to display strings).

import type { CheckResult } from '../src/core/validity.js';
import { pairOps, type Op, type OpPair } from '../src/core/op.js';
import { shownVerdict } from '../src/core/gate.js';
import { withWitnessContext } from './context.js';
import type { ReportData } from './data.js';
import { describeFault, faultWindows, toMs, type FaultWindow } from './faults.js';

/** Outcome codes of the `type` column. */
export const OUTCOMES = ['ok', 'fail', 'info', 'pending'] as const;

/** Client calls (invoke + completion) as parallel columns, in invoke order. */
export interface CallColumns {
  /** Index into PageModel.lanes. */
  lane: number[];
  process: number[];
  startMs: number[];
  /** The completion's time; for a call that never completed, the end of the history. */
  endMs: number[];
  /** Index into OUTCOMES. */
  type: number[];
  /** Index into PageModel.fs. */
  f: number[];
  /** The invoke's history index. */
  index: number[];
  /** Index into PageModel.nodes, -1 when unknown. */
  node: number[];
  /** The value to show: the completion's when it has one, else the invoke's. */
  value: string[];
  /** Sparse: the invoke's value where it differs from `value`; the completion's error. */
  invokeValue: Record<number, string>;
  error: Record<number, string>;
}

export interface NemesisEvent {
  index: number;
  f: string;
  startMs: number;
  endMs: number;
  label: string;
  error?: string;
}

export interface WindowAvailability extends FaultWindow {
  /** Client ops that completed inside the window, and how many of them were ok. */
  ops: number;
  ok: number;
}

export interface PageModel {
  run: ReportData['run'];
  durationMs: number;
  counts: { ok: number; fail: number; info: number; pending: number; nemesis: number };
  results: Record<string, CheckResult>;
  lanes: string[];
  /** Per lane, the client processes it hosted in order (a retired process's thread goes on as the next); null for the nemesis lane. */
  laneProcesses: (number[] | null)[];
  fs: string[];
  nodes: string[];
  calls: CallColumns;
  nemesis: NemesisEvent[];
  windows: WindowAvailability[];
  logs: { node: string; text: string; truncated: boolean }[];
}

const VALUE_CHARS = 160;
const LOG_CHARS = 2_000_000;
const LIST_ITEMS = 1000;

/** A value as display text: JSON, nil for null, shortened. */
export function shortValue(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}

function interner(): { table: string[]; id(s: string): number } {
  const table: string[] = [];
  const ids = new Map<string, number>();
  return {
    table,
    id(s) {
      let i = ids.get(s);
      if (i === undefined) ids.set(s, (i = table.push(s) - 1));
      return i;
    },
  };
}

/** Long detail lists cut to what a page can show; the counts stay exact elsewhere in the result. */
function trimResult(r: CheckResult): CheckResult {
  const out: Record<string, unknown> = { ...r };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && v.length > LIST_ITEMS) out[k] = v.slice(0, LIST_ITEMS);
  const failure = out.failure as { explanation?: { partialLinearization?: unknown[] } } | undefined;
  const partial = failure?.explanation?.partialLinearization;
  if (partial && partial.length > 200) {
    // The end of the longest linearization is where it broke: keep that part.
    out.failure = { ...failure, explanation: { ...failure.explanation, partialLinearization: partial.slice(-200), partialLinearizationLength: partial.length } };
  }
  return out as CheckResult;
}

export function buildPageModel(data: ReportData): PageModel {
  const history = data.history;
  const fs = interner();
  const nodes = interner();
  let endNs = 0;
  let hasNemesis = false;
  for (const op of history) {
    if (op.timeNs > endNs) endNs = op.timeNs;
    if (op.process === 'nemesis') hasNemesis = true;
  }
  const pairs = pairOps(history);
  const { lanes, laneOf, laneProcesses } = assignLanes(pairs, hasNemesis);
  const calls: CallColumns = { lane: [], process: [], startMs: [], endMs: [], type: [], f: [], index: [], node: [], value: [], invokeValue: {}, error: {} };
  const nemesis: NemesisEvent[] = [];
  const counts = { ok: 0, fail: 0, info: 0, pending: 0, nemesis: 0 };
  for (const { invoke, completion } of pairs) {
    if (invoke.process === 'nemesis') {
      counts.nemesis++;
      const kind = invoke.f.replace(/^(start|stop|bump|strobe|reset)-/, '');
      const done = completion?.value ?? invoke.value;
      const what = describeFault(kind === 'restart' || kind === 'resume' ? 'kill' : kind, done);
      const e: NemesisEvent = { index: invoke.index, f: invoke.f, startMs: toMs(invoke.timeNs), endMs: toMs(completion?.timeNs ?? endNs), label: what ? `${invoke.f} ${what}` : invoke.f };
      if (completion?.error) e.error = completion.error;
      nemesis.push(e);
      continue;
    }
    const type = completion ? OUTCOMES.indexOf(completion.type as (typeof OUTCOMES)[number]) : 3;
    counts[OUTCOMES[type]!]++;
    const i = calls.index.length;
    calls.lane.push(laneOf.get(invoke.process)!);
    calls.process.push(invoke.process as number);
    calls.startMs.push(toMs(invoke.timeNs));
    calls.endMs.push(toMs(completion?.timeNs ?? endNs));
    calls.type.push(type);
    calls.f.push(fs.id(invoke.f));
    calls.index.push(invoke.index);
    const node = completion?.node ?? invoke.node;
    calls.node.push(node === undefined ? -1 : nodes.id(node));
    const shown = completion && completion.value !== null && completion.value !== undefined ? completion.value : invoke.value;
    const value = shortValue(shown);
    calls.value.push(value);
    const invoked = shortValue(invoke.value);
    if (invoked !== value) calls.invokeValue[i] = invoked;
    if (completion?.error) calls.error[i] = completion.error;
  }
  // The gate: a run that did not finish, or an empty history, is never shown valid.
  const clientOps = counts.ok + counts.fail + counts.info + counts.pending;
  const verdict = shownVerdict(data.run, clientOps);
  const run: ReportData['run'] = { ...data.run, valid: verdict.valid };
  if (verdict.reason) run.verdictReason = verdict.reason;
  if (verdict.valid !== data.run.valid) run.checkedValid = data.run.valid;
  return {
    run,
    durationMs: toMs(endNs),
    counts,
    results: Object.fromEntries(Object.entries(withWitnessContext(data.results, history)).map(([k, r]) => [k, trimResult(r)])),
    lanes,
    laneProcesses,
    fs: fs.table,
    nodes: nodes.table,
    calls,
    nemesis,
    windows: availability(faultWindows(history), calls),
    logs: (data.nodeLogs ?? []).map((l) => ({
      node: l.node,
      text: l.text.length > LOG_CHARS ? l.text.slice(-LOG_CHARS) : l.text,
      truncated: l.text.length > LOG_CHARS,
    })),
  };
}

/**
 * Lanes of the timeline: the nemesis, then one per worker thread. A process retired by an `info`
 * completion hands its lane to the next new process (its thread carries on under a new id), so a
 * run with many crashed ops keeps as many lanes as it had threads. Labels name the first process
 * of a lane and how many followed it.
 */
function assignLanes(pairs: readonly OpPair[], hasNemesis: boolean): { lanes: string[]; laneOf: Map<Op['process'], number>; laneProcesses: (number[] | null)[] } {
  const laneOf = new Map<Op['process'], number>();
  const members: number[][] = [];
  const freeAtNs: number[] = [];
  for (const { invoke, completion } of pairs) {
    const p = invoke.process;
    if (p === 'nemesis') continue;
    let lane = laneOf.get(p);
    if (lane === undefined) {
      lane = freeAtNs.findIndex((t) => t <= invoke.timeNs);
      if (lane < 0) {
        lane = members.push([]) - 1;
        freeAtNs.push(Infinity);
      }
      members[lane]!.push(p);
      freeAtNs[lane] = Infinity;
      laneOf.set(p, lane);
    }
    if (completion?.type === 'info') freeAtNs[lane] = completion.timeNs;
  }
  const offset = hasNemesis ? 1 : 0;
  for (const [p, lane] of laneOf) laneOf.set(p, lane + offset);
  if (hasNemesis) laneOf.set('nemesis', 0);
  const labels = members.map((ps) => `p${ps[0]}${ps.length > 1 ? ` +${ps.length - 1}` : ''}`);
  return { lanes: [...(hasNemesis ? ['nemesis'] : []), ...labels], laneOf, laneProcesses: [...(hasNemesis ? [null] : []), ...members] };
}

/** Per fault window: how many client ops completed inside it, and how many of those were ok. */
function availability(windows: FaultWindow[], calls: CallColumns): WindowAvailability[] {
  return windows.map((w) => {
    let ops = 0;
    let ok = 0;
    for (let i = 0; i < calls.endMs.length; i++) {
      if (calls.type[i] === 3) continue;
      const t = calls.endMs[i]!;
      if (t < w.startMs || t > w.endMs) continue;
      ops++;
      if (calls.type[i] === 0) ok++;
    }
    return { ...w, ops, ok };
  });
}
