// The state and shared helpers of a Raft node (Ongaro & Ousterhout): terms, the log, commit
// and apply, snapshots, and how output is collected into the next Ready. The behaviour is
// layered on top: election.ts (terms, votes, roles), replication.ts (AppendEntries and
// InstallSnapshot), core.ts (the public inputs and ReadIndex).

import { KvStore } from '../kv.js';
import type { Entry, HardState, PersistOp, Ready, Role, Snapshot } from '../protocol.js';
import type { RaftConfig } from './config.js';
import type { RaftMessage } from './messages.js';
import { Progress } from './progress.js';
import { RaftLog } from './raftlog.js';
import { ReadQueue } from './reads.js';
import { applyCommitted, emptyReady, snapshotAt } from '../ready.js';

export interface RaftInitialState {
  hs: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export type Msg<T extends RaftMessage['type']> = Extract<RaftMessage, { type: T }>;
type Body<T extends RaftMessage['type']> = Omit<Msg<T>, 'from' | 'to' | 'term' | 'type'>;

export abstract class RaftState {
  readonly id: string;
  readonly kv = new KvStore();
  protected term: number;
  protected vote: string | null;
  protected role: Role = 'follower';
  protected leader: string | null = null;
  protected readonly log: RaftLog;
  protected snapshot: Snapshot | null;
  protected commitIndex: number;
  protected lastApplied: number;
  protected stableIndex: number;
  protected ticks = 0;
  protected electionElapsed = 0;
  protected heartbeatElapsed = 0;
  protected randomizedTimeout = 0;
  protected votes = new Map<string, boolean>();
  protected progress = new Map<string, Progress>();
  protected readonly reads = new ReadQueue();
  protected readonly quorum: number;
  protected readonly peers: string[];
  protected needBroadcast = false;
  protected hsDirty = false;
  protected out: Ready = emptyReady();
  /** The last message queued to each peer in the current Ready (for coalescing answers). */
  private readonly lastQueuedTo = new Map<string, RaftMessage>();

  constructor(
    protected readonly cfg: RaftConfig,
    init: RaftInitialState,
  ) {
    this.id = cfg.id;
    this.peers = cfg.members.filter((m) => m !== cfg.id);
    this.quorum = Math.floor(cfg.members.length / 2) + 1;
    this.term = init.hs.term;
    this.vote = init.hs.vote;
    this.snapshot = init.snapshot;
    const snapIndex = init.snapshot?.index ?? 0;
    if (init.snapshot) this.kv.restore(init.snapshot.data);
    this.log = new RaftLog(init.entries.filter((e) => e.index > snapIndex), snapIndex, init.snapshot?.term ?? 0);
    this.commitIndex = this.lastApplied = snapIndex;
    this.stableIndex = this.log.lastIndex();
    this.resetElectionTimer();
  }

  protected setRole(role: Role, leader: string | null): void {
    this.role = role;
    this.leader = leader;
  }

  protected setTerm(term: number, vote: string | null): void {
    this.term = term;
    this.vote = vote;
    this.hsDirty = true;
  }

  protected resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
  }

  protected quorumActive(): boolean {
    let active = 1;
    for (const p of this.progress.values()) if (p.recentActive) active++;
    return active >= this.quorum;
  }

  protected commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    this.lastApplied = applyCommitted(this.log, this.kv, this.lastApplied, this.commitIndex, this.out);
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
    this.maybeSnapshot();
  }

  protected maybeSnapshot(): void {
    if (this.lastApplied - this.log.snapIndex <= this.cfg.snapshotEntries) return;
    this.snapshot = snapshotAt(this.log, this.kv, this.lastApplied);
    this.persist({ t: 'snapshot', snapshot: this.snapshot, hs: this.hardState(), log: this.log.all() });
  }

  protected committedInTerm(): boolean {
    return this.log.termAt(this.commitIndex) === this.term;
  }

  protected notLeader(): { ok: false; error: 'not-leader'; leader?: string } {
    return this.leader !== null && this.leader !== this.id ? { ok: false, error: 'not-leader', leader: this.leader } : { ok: false, error: 'not-leader' };
  }

  protected hardState(): HardState {
    return { term: this.term, vote: this.vote };
  }

  protected persist(op: PersistOp): void {
    const ops = this.out.persist;
    const last = ops[ops.length - 1];
    if (op.t === 'entries' && last?.t === 'entries') last.entries.push(...op.entries);
    else ops.push(op);
  }

  protected send<T extends RaftMessage['type']>(to: string, type: T, body: Body<T>): void {
    const m = { ...body, type, from: this.id, to, term: this.term } as unknown as RaftMessage;
    // A leader's appends carry entries from memory (Raft §10.2.1: the leader may write its log
    // in parallel with replicating it); a heartbeat answer only says "I know no newer leader".
    // Everything else (votes, append answers) reports state that must be durable first.
    const urgent = type === 'heartbeat-resp' || (this.role === 'leader' && (type === 'append' || type === 'heartbeat' || type === 'snapshot'));
    if (urgent) return void this.out.urgentMessages.push(m);
    // Several appends persisted by one Ready need one answer: the highest match says it all.
    const prev = this.lastQueuedTo.get(to);
    if (isAck(m) && prev && isAck(prev) && prev.term === m.term && this.out.messages.includes(prev)) {
      prev.match = Math.max(prev.match, m.match);
      return;
    }
    this.out.messages.push(m);
    this.lastQueuedTo.set(to, m);
  }

  /** Forgets what the previous Ready queued (called when a Ready is taken). */
  protected resetQueued(): void {
    this.lastQueuedTo.clear();
  }

  /** Leaves the leader role's state behind; implemented where elections live. */
  protected abstract becomeFollower(term: number, leader: string | null): void;
}

function isAck(m: RaftMessage): m is Msg<'append-resp'> {
  return m.type === 'append-resp' && m.success;
}

