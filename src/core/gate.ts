// The gate's one rule, shared by the CLI and the report: a run that did not finish is never valid.

import type { Validity } from './validity.js';

/**
 * The verdict a run may be given: a run that did not finish (running, crashed, aborted) is never
 * valid — its history may lack the ops that would show a violation — so `true` becomes
 * `unknown` unless the caller accepts a partial history explicitly. A violation found in a
 * partial history stands (no later op can undo it).
 */
export function gatedVerdict(status: string | undefined, valid: Validity, acceptPartial = false): Validity {
  return status !== undefined && status !== 'finished' && valid === true && !acceptPartial ? 'unknown' : valid;
}

/** Why a run's history is incomplete, in words, or undefined when it finished. */
export function incompleteReason(status: string | undefined): string | undefined {
  switch (status) {
    case undefined:
    case 'finished': return undefined;
    case 'running': return 'the run has not finished (it is still running, or its harness died without recording how it ended)';
    case 'crashed': return 'the run crashed before it finished';
    case 'aborted': return 'the run was aborted (interrupted) before it finished';
    default: return `the run ended ${status}`;
  }
}

/** Why an empty history (no client operations) is never valid. */
export const EMPTY_HISTORY_REASON = 'the history has no client operations, so nothing was checked (an empty history proves nothing)';

/**
 * The verdict to show for a stored run, with the reason when the gate changed it: a run that
 * did not finish, or whose history holds no client op, is unknown whatever its checkers said.
 */
export function shownVerdict(run: { status?: string; valid: Validity | null }, clientOps: number): { valid: Validity | null; reason?: string } {
  if (clientOps === 0 && run.valid !== null) return { valid: run.valid === false ? false : 'unknown', reason: EMPTY_HISTORY_REASON };
  if (run.valid === null) return { valid: null };
  const valid = gatedVerdict(run.status, run.valid);
  const incomplete = incompleteReason(run.status);
  if (valid !== run.valid) return { valid, reason: `incomplete: ${incomplete}; its checkers found no violation in the partial history` };
  return incomplete ? { valid, reason: `incomplete: ${incomplete}` } : { valid };
}
