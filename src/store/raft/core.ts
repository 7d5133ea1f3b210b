// Raft as a deterministic state machine (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", plus the thesis' pre-vote, check-quorum and ReadIndex). No I/O, no
// clocks except the injected wall clock of the lease-read bug: the host feeds ticks, messages,
// proposals and reads, then takes a Ready, persists it, sends its messages and serves results.

import { KvStore } from '../kv.js';
import type { Command } from '../kv.js';
import type { CoreStatus, Entry, HardState, PersistOp, ProposeResult, Ready, ReplicationCore, Role, Snapshot } from '../protocol.js';
import type { RaftConfig } from './config.js';
import type { RaftMessage } from './messages.js';
import { Progress } from './progress.js';
import { RaftLog } from './raftlog.js';
import { ReadQueue } from './reads.js';

export interface RaftInitialState {
  hs: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

type Msg<T extends RaftMessage['type']> = Extract<RaftMessage, { type: T }>;
type Body<T extends RaftMessage['type']> = Omit<Msg<T>, 'from' | 'to' | 'term' | 'type'>;

export class RaftCore implements ReplicationCore {
  readonly id: string;
  readonly kv = new KvStore();
  private term: number;
  private vote: string | null;
  private role: Role = 'follower';
  private leader: string | null = null;
  private readonly log: RaftLog;
  private snapshot: Snapshot | null;
  private commitIndex: number;
  private lastApplied: number;
  private stableIndex: number;
  private ticks = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedTimeout = 0;
  private votes = new Map<string, boolean>();
  private progress = new Map<string, Progress>();
  private readonly reads = new ReadQueue();
  private readonly quorum: number;
  private readonly peers: string[];
  private needBroadcast = false;
  private hsDirty = false;
  private out: Ready = emptyReady();

  constructor(
    private readonly cfg: RaftConfig,
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

  // ---- inputs -------------------------------------------------------------------------------

  tick(): void {
    this.ticks++;
    this.electionElapsed++;
    if (this.role === 'leader') return this.tickLeader();
    if (this.electionElapsed >= this.randomizedTimeout) this.campaign('pre-candidate');
  }

  step(m: RaftMessage): void {
    if (m.to !== this.id || m.from === this.id || !this.cfg.members.includes(m.from)) return;
    if (m.term > this.term) {
      if (!this.acceptHigherTerm(m)) return;
    } else if (m.term < this.term) {
      return this.answerStale(m);
    }
    this.dispatch(m);
  }

  propose(cmd: Command): ProposeResult {
    if (this.role !== 'leader') return this.notLeader();
    const e: Entry = { index: this.log.lastIndex() + 1, term: this.term, cmd };
    this.appendLocal([e]);
    return { ok: true, index: e.index, term: e.term };
  }

  read(ctx: number): { ok: true } | { ok: false; error: 'not-leader'; leader?: string } {
    if (this.role !== 'leader') return this.notLeader();
    this.reads.add(ctx);
    if (this.quorum === 1) this.flushReads();
    return { ok: true };
  }

  leaseValid(): boolean {
    return this.cfg.leaseRead && this.role === 'leader' && this.committedInTerm() && this.lastApplied === this.commitIndex && this.leaseHeld();
  }

  /** The lease starts when a heartbeat round a majority acknowledged was sent (by wall clock). */
  private leaseHeld(): boolean {
    return this.cfg.wallClockMs() < this.reads.leaseStartWallMs + this.cfg.leaseMs;
  }

  onStable(index: number, term: number): void {
    if (index <= this.stableIndex || this.log.termAt(index) !== term) return;
    this.stableIndex = index;
    if (this.role === 'leader') this.maybeCommit();
  }

  hasReady(): boolean {
    return this.hsDirty || this.out.persist.length > 0 || this.out.messages.length > 0 || this.hasUrgent();
  }

  hasUrgent(): boolean {
    const o = this.out;
    return (
      this.needBroadcast || o.urgentMessages.length > 0 || o.applied.length > 0 || o.readsReady.length > 0 ||
      o.readsFailed.length > 0 || (this.reads.hasUnsent() && this.canConfirmReads())
    );
  }

  takeUrgent(): Ready {
    this.flushPipelines();
    const o = this.out;
    const u = { ...emptyReady(), urgentMessages: o.urgentMessages, applied: o.applied, readsReady: o.readsReady, readsFailed: o.readsFailed };
    o.urgentMessages = [];
    o.applied = [];
    o.readsReady = [];
    o.readsFailed = [];
    return u;
  }

  /** Sends proposals and reads that piled up since the last Ready, one message per follower. */
  private flushPipelines(): void {
    if (this.needBroadcast) this.broadcastAppend();
    if (this.reads.hasUnsent() && this.canConfirmReads()) this.flushReads();
  }

  takeReady(): Ready {
    this.flushPipelines();
    const r = this.out;
    if (this.hsDirty) r.persist.unshift({ t: 'hs', hs: this.hardState() });
    this.hsDirty = false;
    r.lastIndex = this.log.lastIndex();
    r.lastTerm = this.log.lastTerm();
    this.out = emptyReady();
    return r;
  }

  status(): CoreStatus {
    const s: CoreStatus = {
      id: this.id, role: this.role, term: this.term, commitIndex: this.commitIndex,
      lastApplied: this.lastApplied, lastIndex: this.log.lastIndex(),
    };
    if (this.leader !== null) s.leader = this.leader;
    return s;
  }

  /** Term of the entry at index in this node's log (undefined if compacted or absent). */
  termAt(index: number): number | undefined {
    return this.log.termAt(index);
  }

  get snapIndex(): number {
    return this.log.snapIndex;
  }

  /** The retained log and snapshot boundary, for the simulator's invariant checks. */
  inspect(): { entries: Entry[]; snapIndex: number; snapTerm: number; vote: string | null } {
    return { entries: this.log.all(), snapIndex: this.log.snapIndex, snapTerm: this.log.snapTerm, vote: this.vote };
  }

  // ---- terms, roles and elections ------------------------------------------------------------

  /** Raft §5.1 with pre-vote and leader stickiness; false when the message must be dropped. */
  private acceptHigherTerm(m: RaftMessage): boolean {
    if (m.type === 'prevote' || m.type === 'vote') {
      // A node that heard from a live leader within the minimum election timeout does not help
      // depose it: this is what keeps a partitioned-then-healed node from disrupting the cluster.
      const inLease = this.leader !== null && this.electionElapsed < this.cfg.electionTicks;
      if (inLease) return false;
    }
    if (m.type === 'prevote') return true;
    if (m.type === 'prevote-resp' && m.granted) return true;
    const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
    this.becomeFollower(m.term, fromLeader ? m.from : null);
    return true;
  }

  /** A message from an older term: tell a stale leader or pre-candidate about our term. */
  private answerStale(m: RaftMessage): void {
    if (m.type === 'append' || m.type === 'heartbeat') {
      this.send(m.from, 'append-resp', { success: false, match: 0, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
    } else if (m.type === 'prevote') {
      this.send(m.from, 'prevote-resp', { granted: false });
    }
  }

  private dispatch(m: RaftMessage): void {
    switch (m.type) {
      case 'prevote':
      case 'vote':
        return this.handleVoteRequest(m);
      case 'prevote-resp':
      case 'vote-resp':
        return this.handleVoteResponse(m);
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        if (this.role !== 'follower') this.becomeFollower(m.term, m.from);
        this.leader = m.from;
        this.electionElapsed = 0;
        if (m.type === 'append') return this.handleAppend(m);
        if (m.type === 'heartbeat') return this.handleHeartbeat(m);
        return this.handleSnapshot(m);
      case 'append-resp':
        return this.handleAppendResponse(m);
      case 'heartbeat-resp':
        return this.handleHeartbeatResponse(m);
    }
  }

  private campaign(role: 'pre-candidate' | 'candidate'): void {
    if (role === 'candidate') {
      this.setTerm(this.term + 1, this.id);
      this.setRole('candidate', null);
    } else {
      this.setRole('pre-candidate', null);
    }
    this.resetElectionTimer();
    this.votes = new Map([[this.id, true]]);
    if (this.quorum === 1) return role === 'candidate' ? this.becomeLeader() : this.campaign('candidate');
    const type = role === 'candidate' ? 'vote' : 'prevote';
    const term = role === 'candidate' ? this.term : this.term + 1;
    const body = { lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() };
    for (const p of this.peers) this.out.messages.push({ ...body, type, from: this.id, to: p, term } as RaftMessage);
  }

  private handleVoteRequest(m: Msg<'prevote'> | Msg<'vote'>): void {
    const pre = m.type === 'prevote';
    const canVote = this.vote === m.from || (this.vote === null && this.leader === null) || (pre && m.term > this.term);
    const upToDate = m.lastTerm > this.log.lastTerm() || (m.lastTerm === this.log.lastTerm() && m.lastIndex >= this.log.lastIndex());
    const granted = canVote && upToDate;
    if (granted && !pre) {
      this.setTerm(this.term, m.from);
      this.electionElapsed = 0;
    }
    // A granted pre-vote answers in the term asked about; a refusal carries our own term.
    const term = granted && pre ? m.term : this.term;
    this.out.messages.push({ type: pre ? 'prevote-resp' : 'vote-resp', from: this.id, to: m.from, term, granted } as RaftMessage);
  }

  private handleVoteResponse(m: Msg<'prevote-resp'> | Msg<'vote-resp'>): void {
    const pre = m.type === 'prevote-resp';
    if (this.role !== (pre ? 'pre-candidate' : 'candidate')) return;
    if (m.term !== (pre ? this.term + 1 : this.term)) return;
    this.votes.set(m.from, m.granted);
    const granted = [...this.votes.values()].filter((v) => v).length;
    const refused = this.votes.size - granted;
    if (granted >= this.quorum) return pre ? this.campaign('candidate') : this.becomeLeader();
    if (refused >= this.quorum) this.becomeFollower(this.term, null);
  }

  private becomeFollower(term: number, leader: string | null): void {
    if (term !== this.term) this.setTerm(term, null);
    this.setRole('follower', leader);
    this.resetElectionTimer();
    this.progress.clear();
    this.needBroadcast = false;
    this.out.readsFailed.push(...this.reads.failAll());
  }

  private becomeLeader(): void {
    this.setRole('leader', this.id);
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.progress = new Map(this.peers.map((p) => [p, new Progress(this.log.lastIndex() + 1)]));
    this.reads.reset();
    // The no-op of the new term: entries of earlier terms commit only under it (Raft §5.4.2),
    // and ReadIndex waits for it so the commit index is known to be current (thesis §6.4).
    this.appendLocal([{ index: this.log.lastIndex() + 1, term: this.term, cmd: null }]);
    this.broadcastHeartbeat();
  }

  private setRole(role: Role, leader: string | null): void {
    this.role = role;
    this.leader = leader;
  }

  private setTerm(term: number, vote: string | null): void {
    this.term = term;
    this.vote = vote;
    this.hsDirty = true;
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
  }

  private tickLeader(): void {
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      // check-quorum: a leader cut off from a majority steps down. The lease-read bug instead
      // trusts its wall-clock lease, so a skewed clock keeps a deposed leader serving reads.
      const keep = this.cfg.leaseRead ? this.leaseHeld() : this.quorumActive();
      for (const p of this.progress.values()) p.recentActive = false;
      if (!keep) return this.becomeFollower(this.term, null);
    }
    if (++this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private quorumActive(): boolean {
    let active = 1;
    for (const p of this.progress.values()) if (p.recentActive) active++;
    return active >= this.quorum;
  }

  // ---- replication (leader side) -------------------------------------------------------------

  private appendLocal(entries: Entry[]): void {
    for (const e of entries) this.log.append(e);
    this.persist({ t: 'entries', entries });
    this.needBroadcast = true;
    if (this.quorum === 1) this.maybeCommit();
  }

  private broadcastAppend(): void {
    this.needBroadcast = false;
    for (const p of this.peers) this.sendAppend(p);
  }

  /**
   * Sends what this follower is missing, within the pipelining and probing limits. With
   * sendIfEmpty an empty AppendEntries goes out anyway: if the follower lost our last message
   * it rejects this one, which moves it back to probing.
   */
  private sendAppend(peer: string, sendIfEmpty = false): void {
    const pr = this.progress.get(peer);
    if (!pr || pr.state === 'snapshot' || pr.paused) return;
    do {
      if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflight) return;
      if (pr.next <= this.log.snapIndex) return this.sendSnapshot(peer, pr);
      const prevIndex = pr.next - 1;
      const last = Math.min(this.log.lastIndex(), prevIndex + this.cfg.maxEntriesPerMessage);
      if (last < pr.next && !sendIfEmpty) return;
      const entries = last >= pr.next ? this.log.slice(pr.next, last) : [];
      this.send(peer, 'append', { prevIndex, prevTerm: this.log.termAt(prevIndex)!, entries, commit: this.commitIndex });
      sendIfEmpty = false;
      if (pr.state === 'probe') pr.paused = true;
      else if (entries.length > 0) {
        pr.next = last + 1;
        pr.inflight.push(last);
      }
    } while (!pr.paused && pr.next <= this.log.lastIndex());
  }

  private sendSnapshot(peer: string, pr: Progress): void {
    if (!this.snapshot) throw new Error(`raft ${this.id}: log compacted to ${this.log.snapIndex} without a snapshot`);
    pr.state = 'snapshot';
    pr.pendingSnapshot = this.snapshot.index;
    pr.snapshotSentTick = this.ticks;
    this.send(peer, 'snapshot', { snapshot: this.snapshot });
  }

  private handleAppendResponse(m: Msg<'append-resp'>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || !pr) return;
    pr.recentActive = true;
    if (!m.success) return this.handleReject(pr, m);
    const advanced = pr.maybeUpdate(m.match);
    if (pr.state === 'probe' || (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot)) pr.becomeReplicate();
    pr.paused = false;
    if (advanced) this.maybeCommit();
    this.sendAppend(m.from);
  }

  /** Conflict back-off: jump over a whole conflicting term using the follower's hint. */
  private handleReject(pr: Progress, m: Msg<'append-resp'>): void {
    if (m.rejectIndex <= pr.match) return; // stale answer to an older message
    if (pr.state === 'probe' && m.rejectIndex !== pr.next - 1) return;
    if (pr.state === 'snapshot') return;
    const probe = this.log.lastIndexWithTermAtMost(m.hintIndex, m.hintTerm);
    pr.becomeProbe();
    pr.next = Math.max(pr.match + 1, Math.min(m.rejectIndex, probe + 1));
    this.sendAppend(m.from);
  }

  /** Commits the highest index stored on a majority, but only if it is from this term (§5.4.2). */
  private maybeCommit(): void {
    const matches = [this.stableIndex, ...[...this.progress.values()].map((p) => p.match)].sort((a, b) => b - a);
    const n = matches[this.quorum - 1]!;
    if (n > this.commitIndex && this.log.termAt(n) === this.term) this.commitTo(n);
  }

  // ---- replication (follower side) -----------------------------------------------------------

  private handleAppend(m: Msg<'append'>): void {
    if (m.prevIndex < this.commitIndex) {
      return this.send(m.from, 'append-resp', { success: true, match: this.commitIndex, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
    }
    if (this.log.termAt(m.prevIndex) !== m.prevTerm) {
      const hintIndex = this.log.lastIndexWithTermAtMost(m.prevIndex, m.prevTerm);
      const hintTerm = this.log.termAt(hintIndex) ?? 0;
      return this.send(m.from, 'append-resp', { success: false, match: 0, rejectIndex: m.prevIndex, hintIndex, hintTerm });
    }
    const fresh = this.firstNew(m.entries);
    if (fresh.length > 0) {
      const from = fresh[0]!.index;
      if (from <= this.log.lastIndex()) this.truncate(from);
      for (const e of fresh) this.log.append(e);
      this.persist({ t: 'entries', entries: fresh });
    }
    const lastNew = m.prevIndex + m.entries.length;
    this.commitTo(Math.min(m.commit, lastNew));
    this.send(m.from, 'append-resp', { success: true, match: lastNew, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
  }

  /** The suffix of entries that is not already in the log (an older duplicate must not truncate). */
  private firstNew(entries: Entry[]): Entry[] {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (this.log.termAt(e.index) !== e.term) return entries.slice(i);
    }
    return [];
  }

  private truncate(from: number): void {
    if (from <= this.commitIndex) throw new Error(`raft ${this.id}: refusing to truncate committed entry ${from} (commit ${this.commitIndex})`);
    this.log.truncateFrom(from);
    this.stableIndex = Math.min(this.stableIndex, from - 1);
    this.persist({ t: 'truncate', fromIndex: from });
  }

  private handleHeartbeat(m: Msg<'heartbeat'>): void {
    this.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(m.from, 'heartbeat-resp', { seq: m.seq });
  }

  private handleSnapshot(m: Msg<'snapshot'>): void {
    const s = m.snapshot;
    if (s.index > this.commitIndex) {
      if (this.log.termAt(s.index) === s.term) {
        this.commitTo(s.index);
      } else {
        this.kv.restore(s.data);
        this.log.compactTo(s.index, s.term);
        this.log.truncateFrom(s.index + 1);
        this.snapshot = s;
        this.commitIndex = this.lastApplied = this.stableIndex = s.index;
        this.persist({ t: 'snapshot', snapshot: s, hs: this.hardState(), log: [] });
      }
    }
    this.send(m.from, 'append-resp', { success: true, match: this.commitIndex, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
  }

  // ---- commit, apply, snapshots ----------------------------------------------------------------

  private commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    while (this.lastApplied < this.commitIndex) {
      const e = this.log.entryAt(this.lastApplied + 1);
      const result = e.cmd === null ? { ok: true as const, value: null } : this.kv.apply(e.cmd);
      this.lastApplied = e.index;
      this.out.applied.push({ index: e.index, term: e.term, cmd: e.cmd, result });
    }
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
    this.maybeSnapshot();
  }

  private maybeSnapshot(): void {
    if (this.lastApplied - this.log.snapIndex <= this.cfg.snapshotEntries) return;
    const term = this.log.termAt(this.lastApplied)!;
    this.snapshot = { index: this.lastApplied, term, data: this.kv.snapshot() };
    this.log.compactTo(this.lastApplied, term);
    this.persist({ t: 'snapshot', snapshot: this.snapshot, hs: this.hardState(), log: this.log.all() });
  }

  // ---- ReadIndex --------------------------------------------------------------------------------

  private committedInTerm(): boolean {
    return this.log.termAt(this.commitIndex) === this.term;
  }

  private canConfirmReads(): boolean {
    return this.role === 'leader' && this.committedInTerm() && !this.reads.roundInFlight();
  }

  /** Gives waiting reads the current commit index and a fresh heartbeat round to confirm it. */
  private flushReads(): void {
    if (!this.canConfirmReads()) return;
    this.reads.assign(this.commitIndex, this.reads.seq + 1);
    this.broadcastHeartbeat();
  }

  private broadcastHeartbeat(): void {
    const seq = this.reads.nextRound(this.cfg.leaseRead ? this.cfg.wallClockMs() : 0);
    if (this.quorum === 1) this.confirmRound();
    for (const [p, pr] of this.progress) this.send(p, 'heartbeat', { commit: Math.min(pr.match, this.commitIndex), seq });
  }

  private handleHeartbeatResponse(m: Msg<'heartbeat-resp'>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || !pr) return;
    pr.recentActive = true;
    if (m.seq > pr.ackedSeq) pr.ackedSeq = m.seq;
    this.confirmRound();
    if (pr.state === 'replicate' && pr.inflight.length >= this.cfg.maxInflight) pr.becomeProbe();
    // An unanswered snapshot is resent after an election timeout (it or its answer was lost).
    if (pr.state === 'snapshot' && this.ticks - pr.snapshotSentTick >= this.cfg.electionTicks) pr.becomeProbe();
    pr.paused = false;
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
  }

  /** The newest heartbeat round acknowledged by a majority confirms every read assigned to it. */
  private confirmRound(): void {
    const acked = [this.reads.seq, ...[...this.progress.values()].map((p) => p.ackedSeq)].sort((a, b) => b - a);
    this.reads.confirm(acked[this.quorum - 1]!);
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private notLeader(): { ok: false; error: 'not-leader'; leader?: string } {
    return this.leader !== null && this.leader !== this.id ? { ok: false, error: 'not-leader', leader: this.leader } : { ok: false, error: 'not-leader' };
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote };
  }

  private persist(op: PersistOp): void {
    const ops = this.out.persist;
    const last = ops[ops.length - 1];
    if (op.t === 'entries' && last?.t === 'entries') last.entries.push(...op.entries);
    else ops.push(op);
  }

  private send<T extends RaftMessage['type']>(to: string, type: T, body: Body<T>): void {
    const m = { ...body, type, from: this.id, to, term: this.term } as unknown as RaftMessage;
    // A leader's appends carry entries from memory (Raft §10.2.1: the leader may write its log
    // in parallel with replicating it); a heartbeat answer only says "I know no newer leader".
    // Everything else (votes, append answers) reports state that must be durable first.
    const urgent = type === 'heartbeat-resp' || (this.role === 'leader' && (type === 'append' || type === 'heartbeat' || type === 'snapshot'));
    (urgent ? this.out.urgentMessages : this.out.messages).push(m);
  }
}

function emptyReady(): Ready {
  return { persist: [], messages: [], urgentMessages: [], applied: [], readsReady: [], readsFailed: [], lastIndex: 0, lastTerm: 0 };
}
