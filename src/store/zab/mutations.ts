// Runs the randomized simulation with one Zab mutation (or --bug switch) on, seed after seed,
// until the safety or liveness checks catch it: the "mutation → seeds to first catch" table.
// Used by test/store/zab-sim.test.ts (which fails if one escapes) and bench/mutations-zab.ts.

import type { Bug } from '../bugs.js';
import { runSchedule } from '../sim/schedule.js';
import type { ZabMutation } from './config.js';

export interface Catch {
  name: string;
  /** Seeds run up to and including the first that failed; undefined if none did. */
  seeds?: number;
  message?: string;
  ms: number;
}

/** Seeds 1..maxSeeds of `steps` steps each with the mutation or bug on; stops at the first violation. */
export function firstCatch(what: { mutation: ZabMutation } | { bug: Bug }, maxSeeds: number, steps: number): Catch {
  const name = 'mutation' in what ? what.mutation : `--bug ${what.bug}`;
  const t0 = Date.now();
  for (let seed = 1; seed <= maxSeeds; seed++) {
    try {
      runSchedule(seed, steps, 'bug' in what ? [what.bug] : [], { protocol: 'zab', zabMutations: 'mutation' in what ? [what.mutation] : [] });
    } catch (err) {
      return { name, seeds: seed, message: (err as Error).message, ms: Date.now() - t0 };
    }
  }
  return { name, ms: Date.now() - t0 };
}
