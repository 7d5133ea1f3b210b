// Tunables of one Zab node (in ticks and entries), its --bug switches, and the test-only
// mutations: realistic protocol mistakes the simulator must catch (never reachable from flags).

export const ZAB_MUTATIONS = [
  /** A follower applies (delivers) a proposal as soon as it has logged it, before COMMIT. */
  'deliver-before-commit',
  /** Synchronization never truncates: a follower keeps a divergent suffix and gets only a DIFF. */
  'skip-trunc',
  /** The new epoch is the highest accepted epoch instead of one above it, and followers promise an epoch equal to their accepted one. */
  'reuse-epoch',
  /** A follower acknowledges a proposal before it is durable. */
  'ack-before-persist',
  /** Votes compare ids only, and the new leader never checks that a follower has a newer history. */
  'elect-by-id',
] as const;
export type ZabMutation = (typeof ZAB_MUTATIONS)[number];

export interface ZabConfig {
  id: string;
  /** Every member's id, this node included. */
  members: string[];
  /** A follower that hears nothing from its leader for this long goes back to election. */
  electionTicks: number;
  heartbeatTicks: number;
  random: () => number;
  snapshotEntries: number;
  maxEntriesPerMessage: number;
  /** --bug skip-sync: a new leader broadcasts before synchronizing its followers' histories. */
  skipSync: boolean;
  /** --bug local-read: every serving node answers reads from its own state (ZooKeeper's plain read). */
  localRead: boolean;
  mutations: ReadonlySet<ZabMutation>;
}

export const ZAB_DEFAULT_TIMING = {
  electionTicks: 30,
  heartbeatTicks: 5,
  snapshotEntries: 20_000,
  maxEntriesPerMessage: 512,
};
