// Op counts by f and outcome, and the rule a CI gate needs: a run in which no client op succeeded
// proves nothing, so it is never valid (unknown).

import type { Op } from '../src/core/op.js';
import type { CheckResult, Validity } from '../src/core/validity.js';

export interface StatsResult extends CheckResult {
  valid: Validity;
  byF: Record<string, { ok: number; fail: number; info: number }>;
  ok: number;
  fail: number;
  info: number;
  nemesis: number;
}

export function checkStats(history: readonly Op[]): StatsResult {
  const byF: StatsResult['byF'] = {};
  let ok = 0;
  let fail = 0;
  let info = 0;
  let nemesis = 0;
  for (const op of history) {
    if (op.type === 'invoke') continue;
    if (op.process === 'nemesis') {
      nemesis++;
      continue;
    }
    const row = (byF[op.f] ??= { ok: 0, fail: 0, info: 0 });
    row[op.type]++;
    if (op.type === 'ok') ok++;
    else if (op.type === 'fail') fail++;
    else info++;
  }
  return { valid: ok > 0 ? true : 'unknown', byF, ok, fail, info, nemesis, ...(ok === 0 ? { error: 'no client op succeeded' } : {}) };
}
