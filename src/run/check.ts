// Checking a stored or fresh history: the workload's checkers plus the stats checker (a run with
// no successful client op proves nothing, so it is never valid). Shared by `test` and `analyze`.

import { checkStats } from '../../checkers/stats.js';
import { mergeValidity, type CheckResult, type Validity } from '../core/validity.js';
import { buildWorkload, type WorkloadName } from '../../workloads/index.js';
import type { Op } from '../core/op.js';

export interface HistoryVerdict {
  valid: Validity;
  results: Record<string, CheckResult>;
}

export async function checkHistory(workload: WorkloadName, history: readonly Op[], opts: { budgetMs: number; signal?: AbortSignal }): Promise<HistoryVerdict> {
  const w = buildWorkload(workload);
  const results: Record<string, CheckResult> = { stats: checkStats(history) };
  for (const [name, checker] of Object.entries(w.checkers)) {
    try {
      results[name] = await checker.check(history, opts);
    } catch (err) {
      // A checker that cannot judge the history says so; it never turns into a pass.
      results[name] = { valid: 'unknown', error: `the ${name} checker failed: ${(err as Error).message}` };
    }
  }
  return { valid: mergeValidity(...Object.values(results).map((r) => r.valid)), results };
}
