// Protocol-neutral contracts between a replication core (Raft now; Multi-Paxos and Zab later)
// and the code that hosts it: the real server (TCP + WAL) and the simulator (in-memory).
// A core is a deterministic state machine: ticks, peer messages and client requests go in;
// a Ready (persistence writes, messages, applied results, confirmed reads) comes out.

import type { ApplyResult, Command, KvStore } from './kv.js';

/** One replicated log entry. A null command is the no-op a new leader commits in its term. */
export interface Entry {
  index: number;
  term: number;
  cmd: Command | null;
  /**
   * Multi-Paxos only: the ballot that first proposed this value. `term` is the ballot the
   * entry was accepted in, which changes when a later leader re-proposes the value; `origin`
   * does not, so (index, origin) names one value across re-proposals.
   */
  origin?: number;
}

/** Durable "hard state": what a node promised (term, vote) and must never forget. */
export interface HardState {
  term: number;
  vote: string | null;
}

/** A state-machine snapshot covering every entry up to and including `index`. */
export interface Snapshot {
  index: number;
  term: number;
  data: Array<[string, unknown]>;
}

/**
 * One durable change, applied by storage in order. `replaceLog` follows a snapshot: the whole
 * retained log (entries after the snapshot) is rewritten, which is how the WAL is compacted.
 */
export type PersistOp =
  | { t: 'hs'; hs: HardState }
  | { t: 'entries'; entries: Entry[] }
  | { t: 'truncate'; fromIndex: number }
  | { t: 'snapshot'; snapshot: Snapshot; hs: HardState; log: Entry[] };

/** A message between nodes; `type` and the other fields are protocol-specific. */
export interface PeerMessage {
  type: string;
  from: string;
  to: string;
  term: number;
}

/**
 * What a core has produced since the last takeReady(). `messages` may be sent only once
 * `persist` is durable; everything else does not depend on this Ready's persistence, so a host
 * may act on it at once, even while an earlier write is still being fsynced.
 */
export interface Ready {
  persist: PersistOp[];
  messages: PeerMessage[];
  /** Messages that depend on no unpersisted state (a leader's appends and heartbeats, heartbeat answers). */
  urgentMessages: PeerMessage[];
  /** Committed entries applied to the state machine, in index order. */
  applied: Array<{ index: number; term: number; cmd: Command | null; result: ApplyResult }>;
  /** Read contexts that are now safe to serve from local state (linearizable). */
  readsReady: number[];
  /** Read contexts that can no longer be confirmed (leadership lost). */
  readsFailed: number[];
  /** Highest index this Ready makes durable on this node (with its term), if any. */
  lastIndex: number;
  lastTerm: number;
}

export type Role = 'leader' | 'follower' | 'candidate' | 'pre-candidate';

export interface CoreStatus {
  id: string;
  role: Role;
  term: number;
  leader?: string;
  commitIndex: number;
  lastApplied: number;
  lastIndex: number;
}

export type ProposeResult = { ok: true; index: number; term: number } | { ok: false; error: 'not-leader'; leader?: string };

/** The interface every replication protocol implements. */
export interface ReplicationCore {
  readonly id: string;
  /** The state machine the core applies committed commands to (reads are served from it). */
  readonly kv: KvStore;
  tick(): void;
  step(msg: PeerMessage): void;
  propose(cmd: Command): ProposeResult;
  /** Starts a linearizable read; the ctx comes back in readsReady or readsFailed. */
  read(ctx: number): { ok: true } | { ok: false; error: 'not-leader'; leader?: string };
  /** The lease-read bug: true when the leader believes its wall-clock lease lets it read locally. */
  leaseValid(): boolean;
  /** Tells the core that storage made entries up to (index, term) durable. */
  onStable(index: number, term: number): void;
  takeReady(): Ready;
  /** Only the parts of a Ready that need no persistence (persist and messages stay queued). */
  takeUrgent(): Ready;
  hasReady(): boolean;
  hasUrgent(): boolean;
  status(): CoreStatus;
}
