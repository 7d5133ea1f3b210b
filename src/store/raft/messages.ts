// Raft's peer messages (Ongaro & Ousterhout, extended with pre-vote and heartbeat sequence
// numbers for ReadIndex). Every message carries the sender's term; `seq` ties a heartbeat
// response to the heartbeat round that confirmed the leader, which batches ReadIndex reads.

import type { Entry, Snapshot } from '../protocol.js';

interface Base {
  from: string;
  to: string;
  term: number;
}

export type RaftMessage =
  | (Base & { type: 'prevote'; lastIndex: number; lastTerm: number })
  | (Base & { type: 'vote'; lastIndex: number; lastTerm: number })
  | (Base & { type: 'prevote-resp'; granted: boolean })
  | (Base & { type: 'vote-resp'; granted: boolean })
  | (Base & { type: 'append'; prevIndex: number; prevTerm: number; entries: Entry[]; commit: number })
  | (Base & { type: 'append-resp'; success: boolean; match: number; rejectIndex: number; hintIndex: number; hintTerm: number })
  | (Base & { type: 'heartbeat'; commit: number; seq: number })
  | (Base & { type: 'heartbeat-resp'; seq: number })
  | (Base & { type: 'snapshot'; snapshot: Snapshot });

const TYPES = new Set(['prevote', 'vote', 'prevote-resp', 'vote-resp', 'append', 'append-resp', 'heartbeat', 'heartbeat-resp', 'snapshot']);

/** A cheap shape check for messages off the wire (peers are trusted, but not their bugs). */
export function isRaftMessage(m: unknown): m is RaftMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.type === 'string' && TYPES.has(r.type) && typeof r.from === 'string' && typeof r.to === 'string' && typeof r.term === 'number';
}
