// runTest: one faulted test from spec to verdict, as four stages over one RunContext —
//   open    (refuse bad flags and unavailable faults before anything starts; run row, sink)
//   plan    (the seeded schedule and the run's generator)
//   execute (cluster up, ready, interpret — all inside withFaults, which heals on every exit)
//   finish  (store, check, verdict, reporters, close — on every exit path that has a run row)
// Everything the run did lands in the history as it happens (the nemesis included), so a run that
// crashes or is interrupted halfway still has its history in Postgres for `analyze`.

import { execute } from './execute.js';
import { finishRun } from './finish.js';
import { openRun, type RunOptions } from './open.js';
import type { RunOutcome } from './outcome.js';
import { planRun } from './plan.js';
import type { TestSpec } from './spec.js';

export type { RunOptions } from './open.js';
export type { RunOutcome } from './outcome.js';

export async function runTest(spec: TestSpec, o: RunOptions): Promise<RunOutcome> {
  const ctx = await openRun(spec, o);
  try {
    await execute(ctx, planRun(ctx));
  } catch (err) {
    // execute records its own failures; this is a bug in planning or in execute itself.
    ctx.status = 'crashed';
    ctx.errors.unshift((err as Error).message ?? String(err));
  }
  // finish closes the run row, the sink and the database whatever happened above.
  const outcome = await finishRun(ctx);
  if (ctx.userError) throw Object.assign(ctx.userError, { outcome });
  return outcome;
}
