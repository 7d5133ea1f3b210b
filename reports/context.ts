// The context of a counterexample: which node served each witness op, and which faults were in
// effect while the witness ops ran — the facts a reader of a stale read needs first. Computed
// from the history and attached to a linearizability result's explanation (`context`), so the
// CLI text, the JUnit message and the report all say the same thing.

import { humanTime } from '../checkers/explain.js';
import type { Op } from '../src/core/op.js';
import type { CheckResult } from '../src/core/validity.js';
import { faultWindows, type FaultWindow } from './faults.js';

export interface WitnessOp {
  index: number;
  process: number | 'nemesis';
  description: string;
  invokedAtNs: number;
  completedAtNs?: number;
  /** The node that served it (the completion's, else the invoke's); absent when not recorded. */
  node?: string;
}

export interface CounterexampleContext {
  ops: WitnessOp[];
  /** From the first witness invoke to the last witness completion (or invoke, if none completed). */
  windowNs: { start: number; end: number };
  /** Faults that may have been in effect at some moment of the window (label, e.g. "partition n1 | n2 n3"). */
  faults: { label: string; startNs: number; endNs: number; open: boolean }[];
}

interface ExplainedOp {
  index: number;
  process: number | 'nemesis';
  description: string;
  invokedAtNs: number;
  completedAtNs?: number;
}

/** The context of the given witness ops (an explanation's `minimalOps`) in `history`. */
export function counterexampleContext(history: readonly Op[], witness: readonly ExplainedOp[], windows?: FaultWindow[]): CounterexampleContext {
  const wanted = new Set(witness.map((o) => o.index));
  const nodeOf = new Map<number, string>();
  const openInvoke = new Map<Op['process'], Op>();
  for (const op of history) {
    if (op.type === 'invoke') {
      if (wanted.has(op.index)) {
        openInvoke.set(op.process, op);
        if (op.node !== undefined) nodeOf.set(op.index, op.node);
      }
      continue;
    }
    const inv = openInvoke.get(op.process);
    if (inv) {
      if (op.node !== undefined) nodeOf.set(inv.index, op.node);
      openInvoke.delete(op.process);
    }
  }
  const ops: WitnessOp[] = witness.map((o) => {
    const node = nodeOf.get(o.index);
    return { index: o.index, process: o.process, description: o.description, invokedAtNs: o.invokedAtNs, ...(o.completedAtNs !== undefined ? { completedAtNs: o.completedAtNs } : {}), ...(node !== undefined ? { node } : {}) };
  });
  const start = Math.min(...ops.map((o) => o.invokedAtNs));
  const end = Math.max(...ops.map((o) => o.completedAtNs ?? o.invokedAtNs));
  const faults = (windows ?? faultWindows(history))
    .filter((w) => w.startMs * 1e6 <= end && w.endMs * 1e6 >= start)
    .map((w) => ({ label: w.label, startNs: Math.round(w.startMs * 1e6), endNs: Math.round(w.endMs * 1e6), open: w.open }));
  return { ops, windowNs: { start, end }, faults };
}

/** The lines every text form of a counterexample uses: each op with its node, then the faults. */
export function contextLines(ctx: CounterexampleContext): string[] {
  const lines = ctx.ops.map((o) => {
    const when = o.completedAtNs === undefined ? `invoked t=${humanTime(o.invokedAtNs)}, never completed` : `t=${humanTime(o.invokedAtNs)}–${humanTime(o.completedAtNs)}`;
    return `  op ${o.index} (process ${String(o.process)}, ${o.node ? `node ${o.node}` : 'node not recorded'}): ${o.description}  [${when}]`;
  });
  const window = `t=${humanTime(ctx.windowNs.start)}–${humanTime(ctx.windowNs.end)}`;
  if (ctx.faults.length === 0) lines.push(`no fault was active during the witness window (${window})`);
  else {
    const fs = ctx.faults.map((f) => `${f.label} (t=${humanTime(f.startNs)}–${f.open ? 'end' : humanTime(f.endNs)})`);
    lines.push(`faults active during the witness window (${window}): ${fs.join('; ')}`);
  }
  return lines;
}

/**
 * Returns the results with a `context` added to every linearizability explanation (copies; the
 * inputs are not changed). Results without an explanation pass through as they are.
 */
export function withWitnessContext(results: Record<string, CheckResult>, history: readonly Op[]): Record<string, CheckResult> {
  let windows: FaultWindow[] | undefined;
  const out: Record<string, CheckResult> = {};
  for (const [name, r] of Object.entries(results)) {
    const failure = (r as { failure?: { key: string; explanation?: { minimalOps?: ExplainedOp[]; context?: unknown } } }).failure;
    const ex = failure?.explanation;
    if (!ex?.minimalOps?.length || ex.context) {
      out[name] = r;
      continue;
    }
    windows ??= faultWindows(history);
    out[name] = { ...r, failure: { ...failure, explanation: { ...ex, context: counterexampleContext(history, ex.minimalOps, windows) } } } as CheckResult;
  }
  return out;
}
