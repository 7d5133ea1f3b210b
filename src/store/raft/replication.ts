// Raft log replication (§5.3, §7): the leader's pipelined AppendEntries with conflict back-off
// and commit by majority of the current term; the follower's consistency check, truncation of
// conflicts, and InstallSnapshot.

import type { Entry } from '../protocol.js';
import type { Progress } from './progress.js';
import { RaftElection } from './election.js';
import type { Msg } from './state.js';

export abstract class RaftReplication extends RaftElection {
  protected appendLocal(entries: Entry[]): void {
    for (const e of entries) this.log.append(e);
    this.persist({ t: 'entries', entries });
    this.needBroadcast = true;
    if (this.quorum === 1) this.maybeCommit();
  }

  protected broadcastAppend(): void {
    this.needBroadcast = false;
    for (const p of this.peers) this.sendAppend(p);
  }

  /**
   * Sends what this follower is missing, within the pipelining and probing limits. With
   * sendIfEmpty an empty AppendEntries goes out anyway: if the follower lost our last message
   * it rejects this one, which moves it back to probing.
   */
  protected sendAppend(peer: string, sendIfEmpty = false): void {
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

  protected sendSnapshot(peer: string, pr: Progress): void {
    if (!this.snapshot) throw new Error(`raft ${this.id}: log compacted to ${this.log.snapIndex} without a snapshot`);
    pr.state = 'snapshot';
    pr.pendingSnapshot = this.snapshot.index;
    pr.snapshotSentTick = this.ticks;
    this.send(peer, 'snapshot', { snapshot: this.snapshot });
  }

  protected handleAppendResponse(m: Msg<'append-resp'>): void {
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
  protected handleReject(pr: Progress, m: Msg<'append-resp'>): void {
    if (m.rejectIndex <= pr.match) return; // stale answer to an older message
    if (pr.state === 'probe' && m.rejectIndex !== pr.next - 1) return;
    if (pr.state === 'snapshot') return;
    const probe = this.log.lastIndexWithTermAtMost(m.hintIndex, m.hintTerm);
    pr.becomeProbe();
    pr.next = Math.max(pr.match + 1, Math.min(m.rejectIndex, probe + 1));
    this.sendAppend(m.from);
  }

  /** Commits the highest index stored on a majority, but only if it is from this term (§5.4.2). */
  protected maybeCommit(): void {
    const matches = [this.stableIndex, ...[...this.progress.values()].map((p) => p.match)].sort((a, b) => b - a);
    const n = matches[this.quorum - 1]!;
    const figure8 = this.cfg.mutations?.has('figure8-commit') ?? false;
    if (n > this.commitIndex && (this.log.termAt(n) === this.term || figure8)) this.commitTo(n);
  }

  protected handleAppend(m: Msg<'append'>): void {
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
      if (from <= this.log.lastIndex() && this.cfg.mutations?.has('keep-conflicting-suffix')) {
        // The mutation: overwrite what conflicts, keep the old entries after it (in memory).
        const kept = this.log.lastIndex() > m.prevIndex + m.entries.length ? this.log.slice(m.prevIndex + m.entries.length + 1, this.log.lastIndex()) : [];
        this.log.truncateFrom(from);
        for (const e of [...fresh, ...kept]) this.log.append(e);
        this.persist({ t: 'entries', entries: [...fresh, ...kept] });
        this.commitTo(Math.min(m.commit, this.log.lastIndex()));
        return this.send(m.from, 'append-resp', { success: true, match: this.log.lastIndex(), rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
      }
      if (from <= this.log.lastIndex()) this.truncate(from);
      for (const e of fresh) this.log.append(e);
      this.persist({ t: 'entries', entries: fresh });
    }
    const lastNew = m.prevIndex + m.entries.length;
    this.commitTo(Math.min(m.commit, lastNew));
    this.send(m.from, 'append-resp', { success: true, match: lastNew, rejectIndex: 0, hintIndex: 0, hintTerm: 0 });
  }

  /** The suffix of entries that is not already in the log (an older duplicate must not truncate). */
  protected firstNew(entries: Entry[]): Entry[] {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (this.log.termAt(e.index) !== e.term) return entries.slice(i);
    }
    return [];
  }

  protected truncate(from: number): void {
    if (from <= this.commitIndex) throw new Error(`raft ${this.id}: refusing to truncate committed entry ${from} (commit ${this.commitIndex})`);
    this.log.truncateFrom(from);
    this.stableIndex = Math.min(this.stableIndex, from - 1);
    this.persist({ t: 'truncate', fromIndex: from });
  }

  protected handleHeartbeat(m: Msg<'heartbeat'>): void {
    this.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(m.from, 'heartbeat-resp', { seq: m.seq });
  }

  protected handleSnapshot(m: Msg<'snapshot'>): void {
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
}
