// The mutation table: for each protocol, realistic implementation mistakes (switched on in the
// simulator only; see RAFT_MUTATIONS and PAXOS_MUTATIONS in the cores), and how many randomized
// seeds the simulator needs to catch each. Used by test/store/mutations.test.ts (every mutation
// must be caught within its bound) and bench/mutations.ts (prints mutation → seeds to first catch).

import { PAXOS_MUTATIONS } from '../paxos/core.js';
import type { PaxosMutation } from '../paxos/core.js';
import { RAFT_MUTATIONS } from '../raft/config.js';
import type { RaftMutation } from '../raft/config.js';
import { runSchedule } from './schedule.js';

export type Mutation = { protocol: 'raft'; name: RaftMutation } | { protocol: 'paxos'; name: PaxosMutation };

export const MUTATIONS: Mutation[] = [
  ...RAFT_MUTATIONS.map((name) => ({ protocol: 'raft' as const, name })),
  ...PAXOS_MUTATIONS.map((name) => ({ protocol: 'paxos' as const, name })),
];

export interface Catch {
  mutation: Mutation;
  /** The first seed whose run failed a check, or undefined if none did within the bound. */
  seed?: number;
  /** The violation reported. */
  message?: string;
  seedsRun: number;
}

/** Runs seeds 1..maxSeeds with the mutation switched on until a check fails. */
export function firstCatch(mutation: Mutation, maxSeeds: number, steps = 1000): Catch {
  const opts = mutation.protocol === 'raft' ? { protocol: 'raft' as const, raftMutations: [mutation.name] } : { protocol: 'paxos' as const, paxosMutations: [mutation.name] };
  for (let seed = 1; seed <= maxSeeds; seed++) {
    try {
      runSchedule(seed, steps, [], opts);
    } catch (err) {
      return { mutation, seed, message: (err as Error).message, seedsRun: seed };
    }
  }
  return { mutation, seedsRun: maxSeeds };
}
