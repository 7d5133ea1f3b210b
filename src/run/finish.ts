// Stage 4 — finish, on every exit path that has a run row: store the last ops (or save them to
// unstored-ops.jsonl), check the history when the run finished, decide the verdict honestly
// (no client op, or a requested fault that never took effect, is never valid), close the run row,
// run every reporter, close the history database.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTookEffect } from '../../nemeses/family.js';
import { familyOf, type Fault } from '../../nemeses/registry.js';
import type { Op } from '../core/op.js';
import type { Validity } from '../core/validity.js';
import { opToJsonl } from '../history/jsonl.js';
import { finishRun as closeRunRow, saveResult } from '../history/runs.js';
import { checkHistory, type HistoryVerdict } from './check.js';
import type { RunContext } from './context.js';
import type { RunOutcome } from './outcome.js';
import { rerunCommand } from './spec.js';

/** Requested faults none of whose injections took effect, with the last reason each gave. */
export function faultsNeverTookEffect(requested: readonly Fault[], history: readonly Op[]): { fault: Fault; why: string }[] {
  const out: { fault: Fault; why: string }[] = [];
  for (const fault of requested) {
    const fam = familyOf(fault);
    const starts = history.filter((op) => op.process === 'nemesis' && op.type !== 'invoke' && (fam.starts as readonly string[]).includes(op.f));
    const took = fam.tookEffect ?? defaultTookEffect;
    if (starts.some(took)) continue;
    const last = starts.at(-1);
    out.push({ fault, why: last ? (last.error ?? 'it did nothing') : 'it was never injected' });
  }
  return out;
}

export async function finishRun(ctx: RunContext): Promise<RunOutcome> {
  const { spec, history } = ctx;
  try {
    ctx.reporter.onPhase('check');
    try {
      await ctx.sink.close();
    } catch (err) {
      // The database lost ops the sink could not store even after reconnecting. The whole history
      // is still in memory: it is checked and reported from there, and saved for a later import.
      const file = join(ctx.dir, 'unstored-ops.jsonl');
      writeFileSync(file, history.map(opToJsonl).join('\n') + '\n');
      ctx.errors.push(`${(err as Error).message}; the whole history is in ${file} (add it to the run with: faultline history import ${file} --into ${ctx.runId})`);
    }

    let verdict: HistoryVerdict | undefined;
    let valid: Validity = 'unknown';
    let unknownBecause: string | undefined;
    const never = faultsNeverTookEffect(spec.nemesis, history);
    const clientOps = history.filter((op) => op.type === 'invoke' && op.process !== 'nemesis').length;
    if (ctx.status === 'finished') {
      verdict = await checkHistory(spec.workload, history, { budgetMs: spec.checkBudgetMs });
      valid = verdict.valid;
      if (valid === true && clientOps === 0) unknownBecause = 'no client operation was run: nothing was checked';
      else if (valid === true && never.length > 0) {
        unknownBecause = `requested fault(s) never took effect: ${never.map((n) => `${n.fault} (${n.why})`).join('; ')}`;
      }
      if (unknownBecause) valid = 'unknown';
      for (const [checker, r] of Object.entries(verdict.results)) await saveResult(ctx.historyDb.sql, ctx.runId, checker, r.valid, r);
    }
    await closeRunRow(ctx.historyDb.sql, ctx.runId, ctx.status, ctx.status === 'finished' ? valid : null).catch((err: unknown) => {
      ctx.errors.push(`the run row could not be closed: ${(err as Error).message}`);
    });

    const outcome: RunOutcome = {
      runId: ctx.runId,
      name: spec.name,
      valid,
      seed: spec.seed,
      runDir: ctx.dir,
      status: ctx.status,
      ...(verdict ? { verdict } : {}),
      rerun: rerunCommand(spec),
      runtime: ctx.runtime.kind,
      ops: clientOps,
      ...(never.length ? { faultsNeverTookEffect: never.map((n) => `${n.fault}: ${n.why}`) } : {}),
      ...(unknownBecause ? { unknownBecause } : {}),
    };
    if (ctx.errors.length) outcome.error = ctx.errors.join('; ');
    const before = ctx.errors.length;
    await ctx.reporter.onEnd({ spec, outcome, history, nodeLogs: ctx.nodeLogs, startedAt: ctx.startedAt });
    if (ctx.errors.length > before) {
      outcome.error = ctx.errors.join('; ');
      // results.json is written last; rewrite it so it carries the reporters' errors too.
      writeFileSync(join(ctx.dir, 'results.json'), JSON.stringify(outcome, null, 2) + '\n');
    }
    return outcome;
  } finally {
    await ctx.historyDb.close().catch(() => {});
  }
}
