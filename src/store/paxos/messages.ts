// Multi-Paxos peer messages (Lamport, "Paxos Made Simple" §3, with the practice of "Paxos Made
// Live"). Every message's `term` is the ballot it is about: the sender's ballot for prepare,
// accept, heartbeat and snapshot; the ballot answered for promise, accepted and heartbeat-resp;
// the receiver's higher promise for reject.

import type { Entry, Snapshot } from '../protocol.js';

interface Base {
  from: string;
  to: string;
  term: number;
}

export type PaxosMessage =
  /** Phase 1a for every slot from `start` on (one prepare per ballot covers all later slots). */
  | (Base & { type: 'prepare'; start: number })
  /** Phase 1b: the acceptor's accepted (ballot, value) of every slot ≥ start, or its snapshot if it compacted past start. */
  | (Base & { type: 'promise'; start: number; entries: Entry[]; snapshot: Snapshot | null; commit: number })
  /** Phase 2a for slots prevIndex+1..; `commit`: every slot up to it is chosen. */
  | (Base & { type: 'accept'; prevIndex: number; entries: Entry[]; commit: number })
  /** Phase 2b. ok: every slot up to `match` holds this ballot's value (or is chosen); not ok: a gap, the acceptor's last slot is `match`. */
  | (Base & { type: 'accepted'; ok: boolean; match: number })
  | (Base & { type: 'heartbeat'; commit: number; seq: number })
  /** `frontier`: every slot up to it holds this ballot's value or is chosen (not necessarily durable yet). */
  | (Base & { type: 'heartbeat-resp'; seq: number; frontier: number })
  /** Catch-up of a replica whose missing slots the leader compacted. */
  | (Base & { type: 'snapshot'; snapshot: Snapshot })
  /** The receiver promised a higher ballot (`term`) than the message it answers. */
  | (Base & { type: 'reject' });

const TYPES = new Set(['prepare', 'promise', 'accept', 'accepted', 'heartbeat', 'heartbeat-resp', 'snapshot', 'reject']);

/** A cheap shape check for messages off the wire. */
export function isPaxosMessage(m: unknown): m is PaxosMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.type === 'string' && TYPES.has(r.type) && typeof r.from === 'string' && typeof r.to === 'string' && typeof r.term === 'number';
}
