// Shared test helpers: where the corpus is, fast-check arbitraries of small histories, and
// turning an op list into a sub-history.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Op } from '../../src/core/op.js';
import { smallHistory, type SmallModel, type Step } from './generate.js';

/** The repository root, from dist/test/checkers/ (compiled) or test/checkers/ (source). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), fileURLToPath(import.meta.url).includes('/dist/') ? '../../..' : '../..');
/** The vendored corpus (test/corpus: data with its licence and provenance). */
export const corpusDir = resolve(repoRoot, 'test/corpus');

export const stepArb: fc.Arbitrary<Step> = fc.tuple(fc.nat(3), fc.nat(255), fc.nat(255), fc.nat(9));

/** Small histories (≤ maxOps invokes, 2–4 processes, ok / fail / info / never-completed ops). */
export function smallHistoryArb(model: SmallModel, maxOps = 10): fc.Arbitrary<Op[]> {
  return fc
    .record({ processes: fc.integer({ min: 2, max: 4 }), steps: fc.array(stepArb, { minLength: 2, maxLength: 2 * maxOps + 4 }) })
    .map(({ processes, steps }) => smallHistory(model, processes, steps, maxOps));
}

/** The ops of `history` belonging to the calls invoked at `invokeIndexes` (invokes and completions). */
export function subHistory(history: readonly Op[], invokeIndexes: ReadonlySet<number>): Op[] {
  const out: Op[] = [];
  const open = new Map<Op['process'], boolean>();
  for (const op of history) {
    if (op.type === 'invoke') {
      const kept = invokeIndexes.has(op.index);
      open.set(op.process, kept);
      if (kept) out.push(op);
    } else if (open.get(op.process)) {
      out.push(op);
      open.delete(op.process);
    }
  }
  return out;
}

/** The history without the call invoked at `invokeIndex` (as if it never happened). */
export function withoutCall(history: readonly Op[], invokeIndex: number): Op[] {
  const all = new Set(history.filter((o) => o.type === 'invoke' && o.index !== invokeIndex).map((o) => o.index));
  return subHistory(history, all);
}
