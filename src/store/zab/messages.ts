// Zab's peer messages (Junqueira, Reed & Serafini, "Zab: High-performance broadcast for
// primary-backup systems", DSN 2011; names as in ZooKeeper's Zab 1.0). Every message carries an
// epoch in `term`: the sender's current epoch for election notifications, the epoch being
// established or broadcast in for everything else. `seq` ties a heartbeat answer to the round
// that confirmed the leader (it batches sync requests, ZooKeeper's `sync` before a read).

import type { Entry, Snapshot } from '../protocol.js';

interface Base {
  from: string;
  to: string;
  term: number;
}

/** A vote: the proposed leader and the history it claims, compared as (epoch, last zxid, id). */
export interface Vote {
  leader: string;
  currentEpoch: number;
  lastEpoch: number;
  lastIndex: number;
}

/** A node's history summary: per epoch, the last index it holds of that epoch (ascending). */
export type EpochRuns = Array<[epoch: number, lastIndex: number]>;

export type ZabMessage =
  // Phase 0, leader election (fast leader election: votes spread until a quorum agrees).
  | (Base & { type: 'notify'; round: number; state: 'looking' | 'following' | 'leading'; vote: Vote })
  // Phase 1, discovery: FOLLOWERINFO (CEPOCH), NEWEPOCH, ACKEPOCH.
  | (Base & { type: 'finfo'; acceptedEpoch: number; currentEpoch: number })
  | (Base & { type: 'newepoch' })
  | (Base & { type: 'ackepoch'; fresh: boolean; currentEpoch: number; lastEpoch: number; lastIndex: number; snapIndex: number; runs: EpochRuns })
  // Phase 2, synchronization: NEWLEADER carries the DIFF / TRUNC / SNAP of the follower's history.
  | (Base & { type: 'newleader'; mode: 'diff' | 'trunc' | 'snap' | 'none'; truncFrom: number; snapshot: Snapshot | null; entries: Entry[]; commit: number })
  | (Base & { type: 'acknl'; index: number })
  // Phase 3, broadcast: PROPOSAL (with the commit index piggybacked), ACK, a gap report.
  | (Base & { type: 'propose'; entries: Entry[]; commit: number })
  | (Base & { type: 'ack'; index: number })
  | (Base & { type: 'nack'; have: number })
  | (Base & { type: 'snap'; snapshot: Snapshot })
  // Heartbeats (COMMIT rides on them too) and the read barrier.
  | (Base & { type: 'ping'; commit: number; seq: number })
  | (Base & { type: 'pong'; seq: number; have: number })
  | (Base & { type: 'sync'; id: number })
  | (Base & { type: 'sync-resp'; id: number; index: number });

const TYPES = new Set(['notify', 'finfo', 'newepoch', 'ackepoch', 'newleader', 'acknl', 'propose', 'ack', 'nack', 'snap', 'ping', 'pong', 'sync', 'sync-resp']);

/** A cheap shape check for messages off the wire (peers are trusted, but not their bugs). */
export function isZabMessage(m: unknown): m is ZabMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.type === 'string' && TYPES.has(r.type) && typeof r.from === 'string' && typeof r.to === 'string' && typeof r.term === 'number';
}
