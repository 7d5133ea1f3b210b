// Tunables of one Raft node, in ticks (the host decides how long a tick is) and in entries.

/**
 * Deliberate protocol mistakes for the simulator's mutation table (test-only; no flag reaches
 * them). Each is a classic Raft implementation error.
 */
export const RAFT_MUTATIONS = [
  /** Commit an entry of an earlier term by counting replicas (the paper's figure 8). */
  'figure8-commit',
  /** Grant a vote without checking that the candidate's log is at least as up to date (§5.4.1). */
  'vote-without-log-check',
  /** Answer a vote request before the vote (and term) is durable. */
  'vote-before-durable',
  /** On a conflicting AppendEntries, overwrite the conflicting entries but keep the rest of the old suffix. */
  'keep-conflicting-suffix',
] as const;
export type RaftMutation = (typeof RAFT_MUTATIONS)[number];

export interface RaftConfig {
  id: string;
  /** Every member's id, this node included. */
  members: string[];
  /** Election timeout is drawn uniformly from [electionTicks, 2 * electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** Seeded randomness (the simulator passes a seeded generator; the server Math.random). */
  random: () => number;
  /** Snapshot and compact once this many applied entries sit in the log past the snapshot. */
  snapshotEntries: number;
  maxEntriesPerMessage: number;
  /** Pipelined AppendEntries messages in flight per follower before waiting for answers. */
  maxInflight: number;
  /** lease-read bug: serve reads locally while `wallClockMs() < leaseStart + leaseMs`. */
  leaseRead: boolean;
  leaseMs: number;
  wallClockMs: () => number;
  mutations?: ReadonlySet<RaftMutation>;
}

export const DEFAULT_TIMING = {
  electionTicks: 30,
  heartbeatTicks: 5,
  snapshotEntries: 20_000,
  maxEntriesPerMessage: 512,
  maxInflight: 64,
};
