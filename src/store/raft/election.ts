// Raft elections (§5.2) with the thesis' pre-vote and leader stickiness: who may vote for
// whom, how terms advance, and what changes when a node becomes follower or leader.

import type { Entry } from '../protocol.js';
import type { RaftMessage } from './messages.js';
import { Progress } from './progress.js';
import { RaftState } from './state.js';
import type { Msg } from './state.js';

export abstract class RaftElection extends RaftState {
  protected abstract appendLocal(entries: Entry[]): void;
  protected abstract broadcastHeartbeat(): void;

  /** Raft §5.1 with pre-vote and leader stickiness; false when the message must be dropped. */
  protected acceptHigherTerm(m: RaftMessage): boolean {
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
  protected answerStale(m: RaftMessage): void {
    if (m.type === 'append' || m.type === 'heartbeat') {
      this.send(m.from, 'append-resp', { success: false, match: 0, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
    } else if (m.type === 'prevote') {
      this.send(m.from, 'prevote-resp', { granted: false });
    }
  }

  protected campaign(role: 'pre-candidate' | 'candidate'): void {
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

  protected handleVoteRequest(m: Msg<'prevote'> | Msg<'vote'>): void {
    const pre = m.type === 'prevote';
    const canVote = this.vote === m.from || (this.vote === null && this.leader === null) || (pre && m.term > this.term);
    const upToDate =
      m.lastTerm > this.log.lastTerm() || (m.lastTerm === this.log.lastTerm() && m.lastIndex >= this.log.lastIndex()) || (this.cfg.mutations?.has('vote-without-log-check') ?? false);
    const granted = canVote && upToDate;
    if (granted && !pre) {
      this.setTerm(this.term, m.from);
      this.electionElapsed = 0;
    }
    // A granted pre-vote answers in the term asked about; a refusal carries our own term.
    const term = granted && pre ? m.term : this.term;
    const answer = { type: pre ? 'prevote-resp' : 'vote-resp', from: this.id, to: m.from, term, granted } as RaftMessage;
    if (!pre && this.cfg.mutations?.has('vote-before-durable')) this.out.urgentMessages.push(answer);
    else this.out.messages.push(answer);
  }

  protected handleVoteResponse(m: Msg<'prevote-resp'> | Msg<'vote-resp'>): void {
    const pre = m.type === 'prevote-resp';
    if (this.role !== (pre ? 'pre-candidate' : 'candidate')) return;
    if (m.term !== (pre ? this.term + 1 : this.term)) return;
    this.votes.set(m.from, m.granted);
    const granted = [...this.votes.values()].filter((v) => v).length;
    const refused = this.votes.size - granted;
    if (granted >= this.quorum) return pre ? this.campaign('candidate') : this.becomeLeader();
    if (refused >= this.quorum) this.becomeFollower(this.term, null);
  }

  protected becomeFollower(term: number, leader: string | null): void {
    if (term !== this.term) this.setTerm(term, null);
    this.setRole('follower', leader);
    this.resetElectionTimer();
    this.progress.clear();
    this.needBroadcast = false;
    this.out.readsFailed.push(...this.reads.failAll());
  }

  protected becomeLeader(): void {
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
}
