// Rejects malformed histories with the index of the first bad op and the reason, so every
// checker can assume well-formed input.

import { isOpType, type Op, type Process } from '../core/op.js';

export interface HistoryProblem {
  /** Position in the array (0-based). */
  position: number;
  /** The op's own `index` field. */
  index: number;
  reason: string;
}

/** Returns the first problem found, or undefined when the history is well formed. */
export function validateHistory(history: readonly Op[]): HistoryProblem | undefined {
  const inFlight = new Map<Process, Op>();
  const retired = new Set<Process>();
  let lastIndex = -Infinity;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const bad = (reason: string): HistoryProblem => ({ position: i, index: op.index, reason });
    if (!isOpType(op.type)) return bad(`unknown type ${JSON.stringify(op.type)} (expected invoke, ok, fail or info)`);
    if (!Number.isInteger(op.index)) return bad(`index ${JSON.stringify(op.index)} is not an integer`);
    if (op.index <= lastIndex) return bad(`index ${op.index} does not increase (previous ${lastIndex})`);
    lastIndex = op.index;
    if (typeof op.f !== 'string' || op.f === '') return bad(`f ${JSON.stringify(op.f)} is not a non-empty string`);
    if (!(op.process === 'nemesis' || Number.isInteger(op.process))) {
      return bad(`process ${JSON.stringify(op.process)} is neither an integer nor "nemesis"`);
    }
    if (typeof op.timeNs !== 'number' || !Number.isFinite(op.timeNs)) return bad(`timeNs ${JSON.stringify(op.timeNs)} is not a number`);
    const open = inFlight.get(op.process);
    if (op.type === 'invoke') {
      if (open) return bad(`process ${op.process} invokes ${op.f} while its ${open.f} (index ${open.index}) is still in flight`);
      if (retired.has(op.process) && op.process !== 'nemesis') {
        return bad(`process ${op.process} invokes again after an info completion retired it`);
      }
      inFlight.set(op.process, op);
      continue;
    }
    if (!open) return bad(`${op.type} ${op.f} on process ${op.process} has no invoke in flight`);
    if (open.f !== op.f) return bad(`completion f ${op.f} differs from its invoke's f ${open.f} (index ${open.index})`);
    inFlight.delete(op.process);
    if (op.type === 'info') retired.add(op.process);
  }
  return undefined;
}
