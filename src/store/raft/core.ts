// Raft as a deterministic state machine (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", plus the thesis' pre-vote, check-quorum and ReadIndex). No I/O, no
// clocks except the injected wall clock of the lease-read bug: the host feeds ticks, messages,
// proposals and reads, then takes a Ready, persists it, sends its messages and serves results.
// This file holds the public inputs and ReadIndex; the rest is layered below it.

import type { Command } from '../kv.js';
import type { CoreStatus, Entry, ProposeResult, Ready, ReplicationCore } from '../protocol.js';
import type { RaftMessage } from './messages.js';
import { RaftReplication } from './replication.js';
import { emptyReady, hasDurableOutput, hasUrgentOutput, sealReady, takeUrgentOutput } from '../ready.js';
import type { Msg } from './state.js';

export type { RaftInitialState } from './state.js';

export class RaftCore extends RaftReplication implements ReplicationCore {
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
  protected leaseHeld(): boolean {
    return this.cfg.wallClockMs() < this.reads.leaseStartWallMs + this.cfg.leaseMs;
  }

  onStable(index: number, term: number): void {
    if (index <= this.stableIndex || this.log.termAt(index) !== term) return;
    this.stableIndex = index;
    if (this.role === 'leader') this.maybeCommit();
  }

  hasReady(): boolean {
    return hasDurableOutput(this.out, this.hsDirty) || this.hasUrgent();
  }

  hasUrgent(): boolean {
    return this.needBroadcast || hasUrgentOutput(this.out) || (this.reads.hasUnsent() && this.canConfirmReads());
  }

  takeUrgent(): Ready {
    this.flushPipelines();
    return takeUrgentOutput(this.out);
  }

  /** Sends proposals and reads that piled up since the last Ready, one message per follower. */
  protected flushPipelines(): void {
    if (this.needBroadcast) this.broadcastAppend();
    if (this.reads.hasUnsent() && this.canConfirmReads()) this.flushReads();
  }

  takeReady(): Ready {
    this.flushPipelines();
    const r = sealReady(this.out, this.hardState(), this.hsDirty, this.log);
    this.hsDirty = false;
    this.out = emptyReady();
    this.resetQueued();
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

  protected dispatch(m: RaftMessage): void {
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

  protected tickLeader(): void {
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

  protected canConfirmReads(): boolean {
    return this.role === 'leader' && this.committedInTerm() && !this.reads.roundInFlight();
  }

  /** Gives waiting reads the current commit index and a fresh heartbeat round to confirm it. */
  protected flushReads(): void {
    if (!this.canConfirmReads()) return;
    this.reads.assign(this.commitIndex, this.reads.seq + 1);
    this.broadcastHeartbeat();
  }

  protected broadcastHeartbeat(): void {
    const seq = this.reads.nextRound(this.cfg.leaseRead ? this.cfg.wallClockMs() : 0);
    if (this.quorum === 1) this.confirmRound();
    for (const [p, pr] of this.progress) this.send(p, 'heartbeat', { commit: Math.min(pr.match, this.commitIndex), seq });
  }

  protected handleHeartbeatResponse(m: Msg<'heartbeat-resp'>): void {
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
  protected confirmRound(): void {
    const acked = [this.reads.seq, ...[...this.progress.values()].map((p) => p.ackedSeq)].sort((a, b) => b - a);
    this.reads.confirm(acked[this.quorum - 1]!);
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
  }
}
