// Tunables of one Raft node, in ticks (the host decides how long a tick is) and in entries.

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
}

export const DEFAULT_TIMING = {
  electionTicks: 30,
  heartbeatTicks: 5,
  snapshotEntries: 20_000,
  maxEntriesPerMessage: 512,
  maxInflight: 64,
};
