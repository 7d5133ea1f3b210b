// Zab as a deterministic state machine, written from Junqueira, Reed & Serafini, "Zab:
// High-performance broadcast for primary-backup systems" (DSN 2011) and the ZooKeeper docs
// (Zab 1.0 phases, `sync` + read). No I/O, no clocks: the host feeds ticks, messages,
// proposals and reads, then takes a Ready, persists it, sends its messages, serves results.
//
// Mapping onto the protocol-neutral types (protocol.ts):
// - zxid = (epoch, counter). An Entry's `term` is the zxid's epoch and its `index` a global log
//   position: within one history the counter order and the index order agree, so comparing
//   (lastEpoch, lastIndex) compares last zxids, and one (epoch, index) names one transaction.
// - HardState: `term` is the accepted epoch (f.p, the last NEWEPOCH acknowledged), `vote` the
//   current epoch (f.a, the last NEWLEADER acknowledged) written as a decimal string (null = 0).
// - Status: role `leader` only once established (a quorum acknowledged NEWLEADER); a node
//   looking, or leading an epoch not yet established, reports `candidate`; `term` is the
//   current epoch.
//
// Phases. 0 election: fast leader election: looking nodes exchange votes, each adopting the best
// (current epoch, last zxid, id) it hears, until a quorum agrees. 1 discovery: followers send
// FOLLOWERINFO(accepted epoch); with a quorum the leader picks e' = max + 1 and sends NEWEPOCH;
// a follower promises e' (persisting it) only if e' is above every epoch it accepted before, and
// answers ACKEPOCH with its history; the leader gives up if a follower holds a newer history.
// 2 synchronization: NEWLEADER(e') brings each follower to the leader's history by DIFF (send
// what it lacks), TRUNC (cut a divergent suffix, then DIFF) or SNAP (a snapshot); the follower
// persists it with current epoch e' and acknowledges; a quorum of acknowledgements establishes
// the leader and commits its whole initial history. 3 broadcast: PROPOSAL → quorum of ACKs →
// COMMIT, in zxid order; commits ride on the next proposal or heartbeat.
//
// Channels: Zab assumes FIFO links; ours may drop and reorder (the simulator does, and TCP
// connections break), so a follower accepts a proposal only right after its last entry and
// reports a gap (nack) otherwise, and the leader resends from what the follower reports.
// Reads: `read` is ZooKeeper's `sync` then read: a follower asks the leader, which answers with
// its commit index once a quorum has acknowledged a heartbeat sent after the request (so no
// newer leader can exist); the read is served once the node has applied that index. The log
// container is Raft's (`../raft/raftlog.ts`), a plain indexed log with a snapshot boundary.
// Hand-written on purpose: the replication protocol is the system under test, written from the
// paper; no npm package offers Zab as a deterministic core to host on our WAL and simulator.

import type { Command } from '../kv.js';
import { KvStore } from '../kv.js';
import type { DurableState } from '../durable.js';
import type { CoreStatus, Entry, HardState, PersistOp, ProposeResult, Ready, ReplicationCore, Role, Snapshot } from '../protocol.js';
import { RaftLog } from '../raft/raftlog.js';
import { applyCommitted, emptyReady, hasDurableOutput, hasUrgentOutput, sealReady, snapshotAt, takeUrgentOutput } from '../ready.js';
import type { ZabConfig, ZabMutation } from './config.js';
import type { EpochRuns, Vote, ZabMessage } from './messages.js';

type Msg<T extends ZabMessage['type']> = Extract<ZabMessage, { type: T }>;
type Body<T extends ZabMessage['type']> = Omit<Msg<T>, 'from' | 'to' | 'type'>;

type Phase = 'looking' | 'discovery' | 'sync' | 'broadcast';

interface FollowerState {
  /** NEWLEADER acknowledged: the follower holds this epoch's history and takes proposals. */
  synced: boolean;
  match: number;
  next: number;
  ackedSeq: number;
  active: boolean;
  lastHave: number;
  ack: Msg<'ackepoch'> | null;
}

interface ReadItem {
  ctx?: number;
  from?: string;
  id?: number;
}

interface Round {
  seq: number;
  index: number;
  items: ReadItem[];
}

export class ZabCore implements ReplicationCore {
  readonly id: string;
  readonly kv = new KvStore();
  private acceptedEpoch: number;
  private currentEpoch: number;
  private readonly log: RaftLog;
  private commitIndex: number;
  private lastApplied: number;
  private stableIndex: number;
  private readonly quorum: number;
  private readonly peers: string[];
  private readonly mut: ReadonlySet<ZabMutation>;

  private phase: Phase = 'looking';
  private leading = false;
  private leader: string | null = null;
  private elapsed = 0;
  private heartbeatElapsed = 0;
  private timeout = 0;

  // election
  private round = 0;
  private vote!: Vote;
  private votes = new Map<string, Vote>();

  // leader
  private infos = new Map<string, number>();
  private newEpoch: number | null = null;
  private fresh = new Set<string>();
  private followers = new Map<string, FollowerState>();
  private selfSynced = false;
  private established = false;
  private needBroadcast = false;
  private seq = 0;
  private unassigned: ReadItem[] = [];
  private rounds: Round[] = [];
  private waitingApply: Array<{ index: number; ctx: number }> = [];

  // follower
  private promisedTo: string | null = null;
  private synced = false;
  private lastAckEpoch: Msg<'ackepoch'> | null = null;
  private syncSeq = 0;
  private syncWaiting: number[] = [];
  private syncInflight: { id: number; ctxs: number[]; sentAt: number } | null = null;

  /** The snapshot at log.snapIndex (what SNAP synchronization sends). */
  private savedSnapshot: Snapshot | null;
  private ticks = 0;
  private hsDirty = false;
  private out: Ready = emptyReady();
  /** What each taken Ready makes durable, in order (the host persists Readies one at a time). */
  private stableQueue: Array<{ lastIndex: number; currentEpoch: number }> = [];

  constructor(
    private readonly cfg: ZabConfig,
    init: DurableState,
  ) {
    this.id = cfg.id;
    this.mut = cfg.mutations;
    this.peers = cfg.members.filter((m) => m !== cfg.id);
    this.quorum = Math.floor(cfg.members.length / 2) + 1;
    this.acceptedEpoch = init.hs.term;
    this.currentEpoch = init.hs.vote === null ? 0 : Number(init.hs.vote);
    const snapIndex = init.snapshot?.index ?? 0;
    this.savedSnapshot = init.snapshot;
    if (init.snapshot) this.kv.restore(init.snapshot.data);
    this.log = new RaftLog(init.entries.filter((e) => e.index > snapIndex), snapIndex, init.snapshot?.term ?? 0);
    this.commitIndex = this.lastApplied = snapIndex;
    this.stableIndex = this.log.lastIndex();
    this.goLooking();
  }

  // ---------------------------------------------------------------- inputs

  tick(): void {
    this.ticks++;
    this.elapsed++;
    const hb = ++this.heartbeatElapsed >= this.cfg.heartbeatTicks;
    if (hb) this.heartbeatElapsed = 0;
    switch (this.phase) {
      case 'looking':
        if (this.elapsed >= this.timeout) return this.goLooking();
        if (hb) this.broadcastNotify();
        return;
      default:
        if (this.leading) return this.tickLeader(hb);
        return this.tickFollower(hb);
    }
  }

  private tickLeader(hb: boolean): void {
    if (!this.established) {
      if (this.elapsed >= 2 * this.cfg.electionTicks) this.goLooking();
      return;
    }
    if (this.elapsed >= this.cfg.electionTicks) {
      // check-quorum: a leader that has not heard from a quorum for an election timeout steps down.
      this.elapsed = 0;
      let active = 1;
      for (const f of this.followers.values()) if (f.synced && f.active) active++;
      for (const f of this.followers.values()) f.active = false;
      if (active < this.quorum) return this.goLooking();
    }
    if (hb) this.heartbeat();
  }

  private tickFollower(hb: boolean): void {
    if (this.elapsed >= this.cfg.electionTicks) return this.goLooking();
    if (!hb) return;
    const leader = this.leader!;
    if (this.phase === 'discovery') this.send(leader, 'finfo', { term: this.acceptedEpoch, acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch });
    else if (this.phase === 'sync' && this.lastAckEpoch) this.out.messages.push({ ...this.lastAckEpoch });
    else if (this.phase === 'broadcast' && this.syncInflight && this.ticks - this.syncInflight.sentAt >= 2 * this.cfg.heartbeatTicks) this.sendSync();
  }

  step(m: ZabMessage): void {
    if (m.to !== this.id || m.from === this.id || !this.cfg.members.includes(m.from)) return;
    switch (m.type) {
      case 'notify':
        return this.onNotify(m);
      case 'finfo':
        return this.onFollowerInfo(m);
      case 'ackepoch':
        return this.onAckEpoch(m);
      case 'acknl':
        return this.onAckNewLeader(m);
      case 'ack':
      case 'nack':
      case 'pong':
      case 'sync':
        return this.onFromFollower(m);
      default:
        return this.onFromLeader(m);
    }
  }

  propose(cmd: Command): ProposeResult {
    if (!this.isLeader()) return this.notLeader();
    const e: Entry = { index: this.log.lastIndex() + 1, term: this.currentEpoch, cmd };
    this.log.append(e);
    this.persist({ t: 'entries', entries: [e] });
    this.needBroadcast = true;
    if (this.quorum === 1) this.maybeCommit();
    return { ok: true, index: e.index, term: e.term };
  }

  read(ctx: number): { ok: true } | { ok: false; error: 'not-leader'; leader?: string } {
    if (this.phase !== 'broadcast' || (this.leading && !this.established) || (!this.leading && !this.synced)) return this.notLeader();
    // local-read bug: ZooKeeper's plain read, answered from whatever this server has applied.
    if (this.cfg.localRead) {
      this.out.readsReady.push(ctx);
      return { ok: true };
    }
    if (this.leading) {
      this.unassigned.push({ ctx });
      if (this.quorum === 1) this.startRound();
    } else {
      this.syncWaiting.push(ctx);
    }
    return { ok: true };
  }

  leaseValid(): boolean {
    return false; // Zab defines no leader lease; the lease-read bug does not apply.
  }

  onStable(_index: number, _term: number): void {
    const s = this.stableQueue.shift();
    if (!s) return;
    this.stableIndex = Math.min(s.lastIndex, this.log.lastIndex());
    if (!this.leading) return;
    if (!this.selfSynced && this.newEpoch !== null && s.currentEpoch === this.newEpoch && this.phase === 'sync') {
      this.selfSynced = true;
      this.maybeEstablish();
    }
    if (this.established) this.maybeCommit();
  }

  hasReady(): boolean {
    return hasDurableOutput(this.out, this.hsDirty) || this.hasUrgent();
  }

  hasUrgent(): boolean {
    return this.needBroadcast || hasUrgentOutput(this.out) || this.readsToSend();
  }

  takeUrgent(): Ready {
    this.flush();
    return takeUrgentOutput(this.out);
  }

  takeReady(): Ready {
    this.flush();
    // Snapshot ops carry the hard state as of this Ready (ready.ts): in Zab installSnapshot runs
    // before onNewLeader adopts the new current epoch, and maybeSnapshot can run before onNewEpoch
    // accepts one.
    const r = sealReady(this.out, this.hardState(), this.hsDirty, this.log);
    this.hsDirty = false;
    if (r.persist.length > 0) this.stableQueue.push({ lastIndex: r.lastIndex, currentEpoch: this.currentEpoch });
    this.out = emptyReady();
    return r;
  }

  status(): CoreStatus {
    const role: Role = this.isLeader() ? 'leader' : !this.leading && this.phase !== 'looking' ? 'follower' : 'candidate';
    const s: CoreStatus = { id: this.id, role, term: this.currentEpoch, commitIndex: this.commitIndex, lastApplied: this.lastApplied, lastIndex: this.log.lastIndex() };
    const l = this.knownLeader();
    if (l !== undefined) s.leader = l;
    return s;
  }

  termAt(index: number): number | undefined {
    return this.log.termAt(index);
  }

  get snapIndex(): number {
    return this.log.snapIndex;
  }

  /** Epochs and retained log, for the simulator's invariant checks. */
  inspect(): { entries: Entry[]; snapIndex: number; snapTerm: number; vote: string | null; acceptedEpoch: number; currentEpoch: number; established: boolean } {
    return {
      entries: this.log.all(), snapIndex: this.log.snapIndex, snapTerm: this.log.snapTerm, vote: this.hardState().vote,
      acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch, established: this.isLeader(),
    };
  }

  // ---------------------------------------------------------------- phase 0: election

  private myVote(): Vote {
    return { leader: this.id, currentEpoch: this.currentEpoch, lastEpoch: this.log.lastTerm(), lastIndex: this.log.lastIndex() };
  }

  /** Total order on votes: (current epoch, last zxid, id); the elect-by-id mutation keeps only the id. */
  private better(a: Vote, b: Vote): boolean {
    if (!this.mut.has('elect-by-id')) {
      if (a.currentEpoch !== b.currentEpoch) return a.currentEpoch > b.currentEpoch;
      if (a.lastEpoch !== b.lastEpoch) return a.lastEpoch > b.lastEpoch;
      if (a.lastIndex !== b.lastIndex) return a.lastIndex > b.lastIndex;
    }
    return a.leader > b.leader;
  }

  private goLooking(): void {
    const wasLeader = this.isLeader();
    this.failReads();
    this.phase = 'looking';
    this.leading = false;
    this.leader = null;
    this.established = false;
    this.selfSynced = false;
    this.synced = false;
    this.newEpoch = null;
    this.infos.clear();
    this.fresh.clear();
    this.followers.clear();
    this.lastAckEpoch = null;
    this.needBroadcast = false;
    this.round++;
    this.vote = this.myVote();
    this.votes = new Map([[this.id, this.vote]]);
    this.elapsed = 0;
    this.timeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
    if (wasLeader || this.ticks > 0) this.broadcastNotify();
    this.maybeDecide();
  }

  private broadcastNotify(): void {
    for (const p of this.peers) this.notifyTo(p);
  }

  private notifyTo(p: string): void {
    const state = this.phase === 'looking' ? 'looking' : this.leading ? 'leading' : 'following';
    const vote = state === 'looking' ? this.vote : { ...this.myVote(), leader: this.leader ?? this.id };
    this.send(p, 'notify', { term: this.currentEpoch, round: this.round, state, vote }, true);
  }

  private onNotify(m: Msg<'notify'>): void {
    if (this.phase !== 'looking') {
      if (m.state === 'looking') this.notifyTo(m.from);
      return;
    }
    if (m.state !== 'looking') {
      // An established ensemble answers: join the node that says it leads.
      if (m.state === 'leading' && m.vote.leader === m.from) this.follow(m.from);
      return;
    }
    if (m.round > this.round) {
      this.round = m.round;
      this.votes.clear();
      this.vote = this.better(m.vote, this.myVote()) ? m.vote : this.myVote();
      this.votes.set(this.id, this.vote);
      this.broadcastNotify();
    } else if (m.round === this.round && this.better(m.vote, this.vote)) {
      this.vote = m.vote;
      this.votes.set(this.id, this.vote);
      this.broadcastNotify();
    } else if (m.round < this.round) {
      return this.notifyTo(m.from);
    }
    this.votes.set(m.from, m.vote);
    this.maybeDecide();
  }

  private maybeDecide(): void {
    let n = 0;
    for (const v of this.votes.values()) if (v.leader === this.vote.leader) n++;
    if (n < this.quorum) return;
    if (this.vote.leader === this.id) this.lead();
    else this.follow(this.vote.leader);
  }

  // ---------------------------------------------------------------- phase 1: discovery

  private lead(): void {
    this.phase = 'discovery';
    this.leading = true;
    this.leader = this.id;
    this.elapsed = 0;
    this.infos = new Map([[this.id, this.acceptedEpoch]]);
    this.broadcastNotify();
    this.maybeNewEpoch();
  }

  private follow(leader: string): void {
    this.phase = 'discovery';
    this.leading = false;
    this.leader = leader;
    this.elapsed = 0;
    this.synced = false;
    this.send(leader, 'finfo', { term: this.acceptedEpoch, acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch });
  }

  private onFollowerInfo(m: Msg<'finfo'>): void {
    if (!this.leading) return;
    this.infos.set(m.from, m.acceptedEpoch);
    const f = this.followers.get(m.from);
    if (f) f.active = true;
    if (this.newEpoch === null) return this.maybeNewEpoch();
    if (m.acceptedEpoch > this.newEpoch) return this.goLooking(); // someone promised a newer epoch
    // A late (or restarted) follower: discovery again, then its own synchronization.
    if (f?.synced) this.followers.delete(m.from);
    this.send(m.from, 'newepoch', { term: this.newEpoch });
  }

  private maybeNewEpoch(): void {
    if (this.newEpoch !== null || this.infos.size < this.quorum) return;
    // reuse-epoch mutation: an off-by-one, the new epoch is the highest accepted one, not one above it.
    this.newEpoch = Math.max(...this.infos.values()) + (this.mut.has('reuse-epoch') ? 0 : 1);
    this.acceptedEpoch = Math.max(this.acceptedEpoch, this.newEpoch);
    this.hsDirty = true;
    this.fresh = new Set([this.id]);
    for (const p of this.infos.keys()) if (p !== this.id) this.send(p, 'newepoch', { term: this.newEpoch });
    this.maybeSyncPhase();
  }

  private onAckEpoch(m: Msg<'ackepoch'>): void {
    if (!this.leading || m.term !== this.newEpoch) return;
    const f = this.followers.get(m.from);
    if (f?.synced) return;
    this.followers.set(m.from, { synced: false, match: 0, next: this.log.lastIndex() + 1, ackedSeq: 0, active: true, lastHave: -1, ack: m });
    if (m.fresh || this.mut.has('reuse-epoch')) this.fresh.add(m.from);
    if (this.phase === 'discovery') return this.maybeSyncPhase();
    this.sendNewLeader(m.from); // late joiner
  }

  private maybeSyncPhase(): void {
    if (this.phase !== 'discovery' || this.fresh.size < this.quorum) return;
    // The paper's leader adopts the newest history of its quorum; ZooKeeper's leader is elected
    // with it, so a follower with a newer one means the election was stale: start over.
    if (!this.mut.has('elect-by-id')) {
      const mine = this.myVote();
      for (const f of this.followers.values()) {
        const a = f.ack!;
        const theirs: Vote = { leader: '', currentEpoch: a.currentEpoch, lastEpoch: a.lastEpoch, lastIndex: a.lastIndex };
        if (this.better({ ...theirs, leader: '~' }, { ...mine, leader: '~' })) return this.goLooking();
      }
    }
    this.phase = 'sync';
    this.currentEpoch = this.newEpoch!;
    this.hsDirty = true;
    for (const p of this.followers.keys()) this.sendNewLeader(p);
  }

  // ---------------------------------------------------------------- phase 2: synchronization

  private sendNewLeader(p: string): void {
    const f = this.followers.get(p)!;
    const a = f.ack!;
    const last = this.log.lastIndex();
    const commit = this.established ? this.commitIndex : 0;
    f.synced = false;
    if (this.cfg.skipSync) {
      // skip-sync bug: the follower is taken to hold the leader's history already; broadcast
      // starts at the leader's end, and (as over ZooKeeper's FIFO channel) nothing repairs the gap.
      f.next = last + 1;
      f.match = 0;
      return this.send(p, 'newleader', { term: this.newEpoch!, mode: 'none', truncFrom: 0, snapshot: null, entries: [], commit });
    }
    let match = this.matchPoint(a);
    if (this.mut.has('skip-trunc')) match = Math.max(match, Math.min(a.lastIndex, last));
    let mode: Msg<'newleader'>['mode'] = match < a.lastIndex ? 'trunc' : 'diff';
    let snapshot: Snapshot | null = null;
    if (match < this.log.snapIndex) {
      mode = 'snap';
      snapshot = this.savedSnapshot;
      match = this.log.snapIndex;
    }
    const entries = this.log.slice(match + 1, last);
    f.next = last + 1;
    this.send(p, 'newleader', { term: this.newEpoch!, mode, truncFrom: match + 1, snapshot, entries, commit });
  }


  /**
   * The last index at which the follower's history agrees with ours. One (epoch, index) names one
   * transaction and a history is the prefix before it, so for each epoch both hold, the histories
   * agree up to the smaller of the two last indexes of that epoch.
   */
  private matchPoint(a: Msg<'ackepoch'>): number {
    let match = a.snapIndex >= this.log.snapIndex ? a.snapIndex : -1;
    const last = new Map<number, number>();
    for (let i = this.log.snapIndex; i <= this.log.lastIndex(); i++) last.set(this.log.termAt(i)!, i);
    for (const [epoch, idx] of a.runs) {
      const mine = last.get(epoch);
      if (mine === undefined) continue;
      const at = Math.min(mine, idx);
      if (at >= this.log.snapIndex && this.log.termAt(at) === epoch) match = Math.max(match, at);
    }
    return Math.min(match, this.log.lastIndex(), a.lastIndex);
  }

  private onAckNewLeader(m: Msg<'acknl'>): void {
    if (!this.leading || m.term !== this.newEpoch) return;
    const f = this.followers.get(m.from);
    if (!f || f.synced) return;
    f.synced = true;
    f.active = true;
    f.match = Math.min(m.index, this.log.lastIndex());
    f.next = Math.max(f.next, m.index + 1);
    if (!this.established) this.maybeEstablish();
    else {
      this.maybeCommit();
      this.sendEntries(m.from);
    }
  }

  private maybeEstablish(): void {
    if (this.established || this.phase !== 'sync' || (!this.selfSynced && !this.cfg.skipSync)) return;
    let n = 1;
    for (const f of this.followers.values()) if (f.synced) n++;
    if (n < this.quorum) return;
    this.established = true;
    this.phase = 'broadcast';
    this.elapsed = 0;
    for (const f of this.followers.values()) f.active = true;
    this.maybeCommit();
    this.heartbeat();
  }

  // ---------------------------------------------------------------- phase 3: broadcast (leader)

  private isLeader(): boolean {
    return this.leading && this.established;
  }

  private onFromFollower(m: Msg<'ack' | 'nack' | 'pong' | 'sync'>): void {
    if (!this.isLeader() || m.term !== this.currentEpoch) return;
    const f = this.followers.get(m.from);
    if (!f?.synced) return;
    f.active = true;
    switch (m.type) {
      case 'ack':
        if (m.index > f.match) f.match = Math.min(m.index, this.log.lastIndex());
        return this.maybeCommit();
      case 'nack':
        if (this.cfg.skipSync) return;
        f.next = Math.min(f.next, m.have + 1);
        return this.sendEntries(m.from);
      case 'pong':
        if (m.seq > f.ackedSeq) f.ackedSeq = m.seq;
        this.confirmRounds();
        // No progress since the last heartbeat and something missing: resend from what it has.
        if (m.have < this.log.lastIndex() && m.have === f.lastHave && !this.cfg.skipSync) {
          f.next = m.have + 1;
          this.sendEntries(m.from);
        }
        f.lastHave = m.have;
        return;
      case 'sync':
        this.unassigned.push({ from: m.from, id: m.id });
        return;
    }
  }

  private sendEntries(p: string): void {
    const f = this.followers.get(p)!;
    const last = this.log.lastIndex();
    if (f.next > last) return;
    if (f.next <= this.log.snapIndex) {
      this.send(p, 'snap', { term: this.currentEpoch, snapshot: this.savedSnapshot! }, true);
      f.next = this.log.snapIndex + 1;
      if (f.next > last) return;
    }
    const to = Math.min(last, f.next + this.cfg.maxEntriesPerMessage - 1);
    this.send(p, 'propose', { term: this.currentEpoch, entries: this.log.slice(f.next, to), commit: this.commitIndex }, true);
    f.next = to + 1;
  }

  private maybeCommit(): void {
    if (!this.isLeader()) return;
    const matches = [this.stableIndex];
    for (const f of this.followers.values()) if (f.synced) matches.push(f.match);
    matches.sort((a, b) => b - a);
    const c = matches[this.quorum - 1];
    if (c !== undefined && c > this.commitIndex) this.commitTo(c);
  }

  private heartbeat(): void {
    this.startRound();
  }

  /** A heartbeat round: it carries the commit index, and its quorum answer confirms reads. */
  private startRound(): void {
    const seq = ++this.seq;
    if (this.unassigned.length > 0) {
      this.rounds.push({ seq, index: this.commitIndex, items: this.unassigned });
      this.unassigned = [];
    }
    for (const [p, f] of this.followers) {
      if (!f.synced) continue;
      this.send(p, 'ping', { term: this.currentEpoch, commit: Math.min(this.commitIndex, f.match), seq }, true);
    }
    this.confirmRounds();
  }

  private confirmRounds(): void {
    if (this.rounds.length === 0) return this.releaseReads();
    const acked = [this.seq];
    for (const f of this.followers.values()) if (f.synced) acked.push(f.ackedSeq);
    acked.sort((a, b) => b - a);
    const confirmed = acked[this.quorum - 1] ?? 0;
    while (this.rounds.length > 0 && this.rounds[0]!.seq <= confirmed) {
      const r = this.rounds.shift()!;
      for (const it of r.items) {
        if (it.ctx !== undefined) this.waitingApply.push({ index: r.index, ctx: it.ctx });
        else this.send(it.from!, 'sync-resp', { term: this.currentEpoch, id: it.id!, index: r.index }, true);
      }
    }
    this.releaseReads();
  }

  private readsToSend(): boolean {
    if (this.leading) return this.isLeader() && this.unassigned.length > 0 && this.rounds.length === 0;
    return this.synced && this.syncWaiting.length > 0 && this.syncInflight === null;
  }

  private flush(): void {
    if (this.needBroadcast && this.isLeader()) for (const [p, f] of this.followers) if (f.synced) this.sendEntries(p);
    this.needBroadcast = false;
    if (!this.readsToSend()) return;
    if (this.leading) this.startRound();
    else this.sendSync();
  }

  // ---------------------------------------------------------------- follower

  private onFromLeader(m: Msg<'newepoch' | 'newleader' | 'propose' | 'snap' | 'ping' | 'sync-resp'>): void {
    if (this.leading || this.phase === 'looking' || m.from !== this.leader) return;
    if (m.type === 'newepoch') return this.onNewEpoch(m);
    if (m.type === 'newleader') return this.onNewLeader(m);
    if (!this.synced || m.term !== this.currentEpoch) return;
    this.elapsed = 0;
    switch (m.type) {
      case 'propose':
        return this.onPropose(m);
      case 'snap':
        if (m.snapshot.index > this.log.lastIndex()) this.installSnapshot(m.snapshot);
        return;
      case 'ping':
        this.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.send(m.from, 'pong', { term: this.currentEpoch, seq: m.seq, have: this.log.lastIndex() }, true);
        return;
      case 'sync-resp': {
        const s = this.syncInflight;
        if (!s || s.id !== m.id) return;
        this.syncInflight = null;
        this.commitTo(Math.min(m.index, this.log.lastIndex()));
        for (const ctx of s.ctxs) this.waitingApply.push({ index: m.index, ctx });
        return this.releaseReads();
      }
    }
  }

  private onNewEpoch(m: Msg<'newepoch'>): void {
    if (this.phase !== 'discovery' && this.phase !== 'sync') return;
    this.elapsed = 0;
    let fresh: boolean;
    if (m.term > this.acceptedEpoch || (this.mut.has('reuse-epoch') && m.term === this.acceptedEpoch)) {
      this.acceptedEpoch = m.term;
      this.hsDirty = true;
      this.promisedTo = m.from;
      fresh = true;
    } else if (m.term === this.acceptedEpoch) {
      fresh = this.promisedTo === m.from; // a duplicate, or (after a restart) an epoch already promised
    } else {
      return this.goLooking();
    }
    this.phase = 'sync';
    this.synced = false;
    const runs: EpochRuns = [];
    for (let i = this.log.snapIndex + 1; i <= this.log.lastIndex(); i++) {
      const t = this.log.termAt(i)!;
      const lastRun = runs[runs.length - 1];
      if (lastRun && lastRun[0] === t) lastRun[1] = i;
      else runs.push([t, i]);
    }
    const ack: Msg<'ackepoch'> = {
      type: 'ackepoch', from: this.id, to: m.from, term: m.term, fresh, currentEpoch: this.currentEpoch,
      lastEpoch: this.log.lastTerm(), lastIndex: this.log.lastIndex(), snapIndex: this.log.snapIndex, runs,
    };
    this.lastAckEpoch = ack;
    this.out.messages.push({ ...ack });
  }

  private onNewLeader(m: Msg<'newleader'>): void {
    if (this.phase !== 'sync' || m.term !== this.acceptedEpoch || this.synced) return;
    this.elapsed = 0;
    if (m.snapshot) this.installSnapshot(m.snapshot);
    // SNAP: whatever this node holds past the leader's snapshot may diverge; the leader resends it.
    if (m.mode === 'snap' && m.truncFrom <= this.log.lastIndex()) {
      this.log.truncateFrom(m.truncFrom);
      this.stableIndex = Math.min(this.stableIndex, m.truncFrom - 1);
      this.persist({ t: 'truncate', fromIndex: m.truncFrom });
    }
    if (m.mode === 'trunc' && m.truncFrom <= this.log.lastIndex()) {
      this.log.truncateFrom(m.truncFrom);
      this.stableIndex = Math.min(this.stableIndex, m.truncFrom - 1);
      this.persist({ t: 'truncate', fromIndex: m.truncFrom });
    }
    const add = m.entries.filter((e) => e.index > this.log.lastIndex());
    if (add.length > 0 && add[0]!.index !== this.log.lastIndex() + 1) return; // not ours to patch: wait for a resend
    for (const e of add) this.log.append(e);
    if (add.length > 0) this.persist({ t: 'entries', entries: add });
    this.currentEpoch = m.term;
    this.hsDirty = true;
    this.synced = true;
    this.phase = 'broadcast';
    this.lastAckEpoch = null;
    this.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(m.from, 'acknl', { term: m.term, index: this.log.lastIndex() });
  }

  private onPropose(m: Msg<'propose'>): void {
    const first = m.entries[0]?.index ?? this.log.lastIndex() + 1;
    if (first > this.log.lastIndex() + 1 && this.cfg.skipSync) {
      // skip-sync bug, follower side: ZooKeeper's follower, given a proposal whose zxid does not
      // follow its last one, only warns ("Got zxid … expected …") and logs and acknowledges it; it
      // relies on synchronization having filled its history. The transactions it never received
      // are simply absent: here they become no-op positions (our log is indexed), so this node
      // delivers nothing where the others delivered them, and still counts toward commits.
      const hole: Entry[] = [];
      for (let i = this.log.lastIndex() + 1; i < first; i++) hole.push({ index: i, term: m.entries[0]!.term, cmd: null });
      for (const e of hole) this.log.append(e);
      this.persist({ t: 'entries', entries: hole });
    }
    if (first > this.log.lastIndex() + 1) return this.send(m.from, 'nack', { term: this.currentEpoch, have: this.log.lastIndex() }, true);
    const add = m.entries.filter((e) => e.index > this.log.lastIndex());
    for (const e of add) this.log.append(e);
    if (add.length > 0) {
      this.persist({ t: 'entries', entries: add });
      this.send(m.from, 'ack', { term: this.currentEpoch, index: this.log.lastIndex() }, this.mut.has('ack-before-persist'));
    }
    // deliver-before-commit mutation: the follower delivers what it logged without waiting for COMMIT.
    this.commitTo(Math.min(this.mut.has('deliver-before-commit') ? this.log.lastIndex() : m.commit, this.log.lastIndex()));
  }

  private sendSync(): void {
    const ctxs = this.syncInflight ? this.syncInflight.ctxs : [];
    ctxs.push(...this.syncWaiting);
    this.syncWaiting = [];
    this.syncInflight = { id: ++this.syncSeq, ctxs, sentAt: this.ticks };
    this.send(this.leader!, 'sync', { term: this.currentEpoch, id: this.syncInflight.id }, true);
  }

  // ---------------------------------------------------------------- shared

  private releaseReads(): void {
    if (this.waitingApply.length === 0) return;
    const keep: Array<{ index: number; ctx: number }> = [];
    for (const w of this.waitingApply) {
      if (w.index <= this.lastApplied) this.out.readsReady.push(w.ctx);
      else keep.push(w);
    }
    this.waitingApply = keep;
  }

  private failReads(): void {
    const failed: number[] = [];
    for (const it of this.unassigned) if (it.ctx !== undefined) failed.push(it.ctx);
    for (const r of this.rounds) for (const it of r.items) if (it.ctx !== undefined) failed.push(it.ctx);
    for (const w of this.waitingApply) failed.push(w.ctx);
    failed.push(...this.syncWaiting, ...(this.syncInflight?.ctxs ?? []));
    this.unassigned = [];
    this.rounds = [];
    this.waitingApply = [];
    this.syncWaiting = [];
    this.syncInflight = null;
    this.out.readsFailed.push(...failed);
  }

  private installSnapshot(s: Snapshot): void {
    if (s.index <= this.lastApplied) return;
    this.kv.restore(s.data);
    this.savedSnapshot = s;
    const keepsLog = this.log.termAt(s.index) === s.term && s.index < this.log.lastIndex();
    this.log.compactTo(s.index, s.term);
    if (!keepsLog) this.log.truncateFrom(s.index + 1);
    this.commitIndex = this.lastApplied = s.index;
    this.stableIndex = Math.min(this.stableIndex, this.log.lastIndex());
    this.persist({ t: 'snapshot', snapshot: s, hs: this.hardState(), log: this.log.all() });
    this.releaseReads();
  }

  private commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    this.lastApplied = applyCommitted(this.log, this.kv, this.lastApplied, this.commitIndex, this.out);
    this.releaseReads();
    this.maybeSnapshot();
  }

  private maybeSnapshot(): void {
    if (this.lastApplied - this.log.snapIndex <= this.cfg.snapshotEntries) return;
    this.savedSnapshot = snapshotAt(this.log, this.kv, this.lastApplied);
    this.persist({ t: 'snapshot', snapshot: this.savedSnapshot, hs: this.hardState(), log: this.log.all() });
  }

  private knownLeader(): string | undefined {
    if (this.leading) return this.established ? this.id : undefined;
    return this.phase === 'broadcast' && this.leader !== null ? this.leader : undefined;
  }

  private notLeader(): { ok: false; error: 'not-leader'; leader?: string } {
    const l = this.knownLeader();
    return l !== undefined && l !== this.id ? { ok: false, error: 'not-leader', leader: l } : { ok: false, error: 'not-leader' };
  }

  private hardState(): HardState {
    return { term: this.acceptedEpoch, vote: this.currentEpoch === 0 ? null : String(this.currentEpoch) };
  }

  private persist(op: PersistOp): void {
    const ops = this.out.persist;
    const last = ops[ops.length - 1];
    if (op.t === 'entries' && last?.t === 'entries') last.entries.push(...op.entries);
    else ops.push(op);
  }

  /** `urgent` messages depend on no unpersisted state; the rest go out after this Ready is durable. */
  private send<T extends ZabMessage['type']>(to: string, type: T, body: Body<T>, urgent = false): void {
    const m = Object.assign({ type, from: this.id, to }, body) as unknown as ZabMessage;
    (urgent ? this.out.urgentMessages : this.out.messages).push(m);
  }
}
