// Multi-Paxos as a deterministic state machine, written from Lamport's "Paxos Made Simple"
// (§2 single-decree, §3 the state-machine log) and the practice of Chandra, Griesemer &
// Redstone, "Paxos Made Live" (a distinguished proposer, catch-up, snapshots). Every node is
// proposer, acceptor and learner. No I/O and no clocks: the host feeds ticks, messages,
// proposals and reads and takes a Ready, exactly as for Raft (protocol.ts), so the server, the
// WAL and the simulator are shared. Hand-written: no maintained npm library offers Multi-Paxos
// as a pure core that can be hosted this way.
//
// Ballots. A ballot is an integer; node members[i] owns the ballots b with b mod n = i, so two
// proposers never share one. A proposer picks the smallest ballot it owns above every ballot it
// has seen, and first promises it to itself durably, so a restarted node never reuses a ballot.
//
// Persistence on the shared types (durable.ts, the WAL):
//   HardState.term = the promised ballot (the acceptor's promise, "never accept below it");
//   HardState.vote = the owner of that ballot (informational);
//   Entry{index, term, cmd, origin} = slot `index` accepted value `cmd` in ballot `term`;
//     `origin` = the ballot that first proposed that value (it survives re-proposals, so the
//     replica can tell its own write from another leader's value at the same slot);
//   Snapshot = the state machine after every slot up to `index` (all chosen and applied).
// Acceptor state is written before any answer that depends on it (promise and accepted go in
// Ready.messages, sent only after the persist is durable). Entries stay contiguous from the
// snapshot: an acceptor refuses (asks for) slots past a gap. Accepting slot s in a higher ballot
// rewrites s and keeps every later accepted slot (the whole suffix is written again), because an
// acceptor must never forget an accepted value.
//
// Protocol:
//   Phase 1, once per ballot: prepare(b, start = first slot not known chosen). An acceptor with
//   no higher promise promises b and returns every accepted (ballot, value) from start on (or its
//   snapshot if it compacted past start). With a majority of promises the proposer leads: it
//   installs the newest snapshot it was sent, then for every slot from start to the highest slot
//   reported it proposes the value accepted in the highest ballot, or a no-op where none was
//   (a hole), plus one no-op after them (reads wait for it: then every earlier slot is chosen).
//   Phase 2, per slot: accept(b, slots). An acceptor with no higher promise accepts (and
//   promises b). A slot is chosen once a majority accepted it in b; the leader learns that
//   from the answers, applies slots in order with no gaps, and tells others its commit point.
//   A replica applies slot s ≤ that point only when it holds s from ballot b (the leader's own
//   value for s, which is the chosen one) — slots it holds from older ballots are re-sent first.
//   Catch-up: a replica past a gap answers with its last slot; the leader resends from there, or
//   sends its snapshot when it compacted those slots.
//   Reads: the leader serves a read once a heartbeat round sent after the read arrived was
//   answered by a majority still under its ballot, at the commit point the read was assigned
//   (Raft's ReadIndex applied to Paxos: a quorum read barrier), never from local state alone.
//   Liveness: randomized election timeouts, leader stickiness (an acceptor that heard from a
//   live leader recently ignores prepares), check-quorum (a leader that has not heard from a
//   majority for an election timeout steps down).

import type { Command } from '../kv.js';
import { KvStore } from '../kv.js';
import type { CoreStatus, Entry, HardState, PersistOp, ProposeResult, Ready, ReplicationCore, Role, Snapshot } from '../protocol.js';
import type { RaftConfig } from '../raft/config.js';
import { RaftLog } from '../raft/raftlog.js';
import { ReadQueue } from '../raft/reads.js';
import { applyCommitted, emptyReady, hasDurableOutput, hasUrgentOutput, sealReady, snapshotAt, takeUrgentOutput } from '../ready.js';
import type { DurableState } from '../durable.js';
import type { PaxosMessage } from './messages.js';

/**
 * Deliberate protocol mistakes for the simulator's mutation table (test-only; no flag reaches
 * them). Each one is a real mistake a Paxos implementer can make.
 */
export const PAXOS_MUTATIONS = [
  /** An acceptor accepts phase-2 messages of a ballot below its promise. */
  'accept-lower-ballot',
  /** A restarted node forgets its promised ballot (the hard state is not read back). */
  'forget-promise',
  /** The new leader re-proposes the value of the lowest-ballot acceptance instead of the highest. */
  'not-highest-ballot',
  /** An acceptor answers prepare before its promise is durable. */
  'promise-before-durable',
  /** The leader counts a slot chosen with one acceptance fewer than a majority. */
  'short-quorum',
] as const;
export type PaxosMutation = (typeof PAXOS_MUTATIONS)[number];

export interface PaxosConfig extends Omit<RaftConfig, 'mutations'> {
  /** The skip-prepare bug: a new leader skips phase 1 and proposes its own log in phase 2. */
  skipPrepare: boolean;
  mutations?: ReadonlySet<PaxosMutation>;
}

type Msg<T extends PaxosMessage['type']> = Extract<PaxosMessage, { type: T }>;
type Body<T extends PaxosMessage['type']> = Omit<Msg<T>, 'from' | 'to' | 'term' | 'type'>;

/** The leader's view of one acceptor. */
interface PeerProgress {
  /** Next slot to send. */
  next: number;
  /** Every slot up to here is accepted in this ballot (or chosen) on that acceptor, durably. */
  match: number;
  /** The acceptor's frontier in the previous heartbeat answer (to notice a stalled peer). */
  lastFrontier: number;
  recentActive: boolean;
  ackedSeq: number;
  /** Tick a snapshot was sent (resent after an election timeout without answer), or -1. */
  snapshotSentTick: number;
}

export class PaxosCore implements ReplicationCore {
  readonly id: string;
  readonly kv = new KvStore();
  private promised: number;
  /** The ballot this node proposes in while candidate or leader. */
  private ballot = 0;
  /** The highest ballot seen anywhere, so the next one picked is above it. */
  private maxSeen: number;
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
  private promises = new Map<string, Msg<'promise'>>();
  private progress = new Map<string, PeerProgress>();
  private readonly reads = new ReadQueue();
  private readonly quorum: number;
  private readonly peers: string[];
  private needBroadcast = false;
  private hsDirty = false;
  private out: Ready = emptyReady();
  /** Cached frontier(b): every slot up to it holds ballot b's value or is chosen. */
  private frontierCache = { ballot: -1, index: 0 };
  /** The slot of the no-op this leader proposed right after phase 1. */
  private noopIndex = Infinity;

  constructor(
    private readonly cfg: PaxosConfig,
    init: DurableState,
  ) {
    this.id = cfg.id;
    this.peers = cfg.members.filter((m) => m !== cfg.id);
    this.quorum = Math.floor(cfg.members.length / 2) + 1;
    this.promised = this.mutated('forget-promise') ? 0 : init.hs.term;
    this.maxSeen = this.promised;
    this.snapshot = init.snapshot;
    const snapIndex = init.snapshot?.index ?? 0;
    if (init.snapshot) this.kv.restore(init.snapshot.data);
    this.log = new RaftLog(init.entries.filter((e) => e.index > snapIndex), snapIndex, init.snapshot?.term ?? 0);
    for (const e of init.entries) this.maxSeen = Math.max(this.maxSeen, e.term);
    this.commitIndex = this.lastApplied = snapIndex;
    this.stableIndex = this.log.lastIndex();
    this.resetElectionTimer();
  }

  private mutated(m: PaxosMutation): boolean {
    return this.cfg.mutations?.has(m) ?? false;
  }

  private owner(ballot: number): string {
    return this.cfg.members[ballot % this.cfg.members.length]!;
  }

  // ---- inputs -------------------------------------------------------------------------------

  tick(): void {
    this.ticks++;
    this.electionElapsed++;
    if (this.role === 'leader') return this.tickLeader();
    if (this.electionElapsed >= this.randomizedTimeout) this.campaign();
  }

  step(m: PaxosMessage): void {
    if (m.to !== this.id || m.from === this.id || !this.cfg.members.includes(m.from)) return;
    if (m.term > this.maxSeen) this.maxSeen = m.term;
    switch (m.type) {
      case 'prepare':
        return this.onPrepare(m);
      case 'promise':
        return this.onPromise(m);
      case 'accept':
      case 'heartbeat':
      case 'snapshot':
        return this.onLeaderMessage(m);
      case 'accepted':
        return this.onAccepted(m);
      case 'heartbeat-resp':
        return this.onHeartbeatResp(m);
      case 'reject':
        if ((this.role === 'leader' || this.role === 'candidate') && m.term > this.ballot) this.becomeFollower(null);
        return;
    }
  }

  propose(cmd: Command): ProposeResult {
    if (this.role !== 'leader') return this.notLeader();
    const e: Entry = { index: this.log.lastIndex() + 1, term: this.ballot, cmd, origin: this.ballot };
    this.appendLocal([e]);
    return { ok: true, index: e.index, term: this.ballot };
  }

  read(ctx: number): { ok: true } | { ok: false; error: 'not-leader'; leader?: string } {
    if (this.role !== 'leader') return this.notLeader();
    this.reads.add(ctx);
    if (this.quorum === 1) this.flushReads();
    return { ok: true };
  }

  leaseValid(): boolean {
    return this.cfg.leaseRead && this.role === 'leader' && this.committedInBallot() && this.lastApplied === this.commitIndex && this.leaseHeld();
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

  takeReady(): Ready {
    this.flushPipelines();
    const r = sealReady(this.out, this.hardState(), this.hsDirty, this.log);
    this.hsDirty = false;
    this.out = emptyReady();
    return r;
  }

  status(): CoreStatus {
    const s: CoreStatus = { id: this.id, role: this.role, term: this.promised, commitIndex: this.commitIndex, lastApplied: this.lastApplied, lastIndex: this.log.lastIndex() };
    if (this.leader !== null) s.leader = this.leader;
    return s;
  }

  /** Ballot of the entry at slot index in this node's log (undefined if compacted or absent). */
  termAt(index: number): number | undefined {
    return this.log.termAt(index);
  }

  /** The entry at slot index if retained (for the simulator's checks). */
  entryAt(index: number): Entry | undefined {
    return index > this.log.snapIndex && index <= this.log.lastIndex() ? this.log.entryAt(index) : undefined;
  }

  get snapIndex(): number {
    return this.log.snapIndex;
  }

  // ---- phase 1 ------------------------------------------------------------------------------

  private campaign(): void {
    const n = this.cfg.members.length;
    const idx = this.cfg.members.indexOf(this.id);
    const base = Math.max(this.promised, this.maxSeen, this.ballot);
    this.ballot = (Math.floor(base / n) + 1) * n + idx;
    this.maxSeen = this.ballot;
    this.setPromised(this.ballot);
    this.failReads();
    this.role = 'candidate';
    this.leader = null;
    this.progress.clear();
    this.needBroadcast = false;
    this.resetElectionTimer();
    this.promises = new Map();
    if (this.cfg.skipPrepare || this.quorum === 1) return this.becomeLeader();
    const start = this.commitIndex + 1;
    // Sent after the promise to ourselves is durable (Ready.messages).
    for (const p of this.peers) this.out.messages.push({ type: 'prepare', from: this.id, to: p, term: this.ballot, start } as PaxosMessage);
  }

  private onPrepare(m: Msg<'prepare'>): void {
    if (m.term < this.promised) return this.send(m.from, 'reject', {}, this.promised);
    if (m.term > this.promised) {
      // Leader stickiness: while a live leader is heard from, do not help depose it.
      if (this.role === 'leader' || (this.leader !== null && this.electionElapsed < this.cfg.electionTicks)) return;
      this.setPromised(m.term);
      if (this.role !== 'follower') this.becomeFollower(null);
      this.leader = null;
    }
    const start = m.start;
    const snapshot = this.log.snapIndex >= start && this.snapshot ? this.snapshot : null;
    const from = Math.max(start, this.log.snapIndex + 1);
    const entries = from <= this.log.lastIndex() ? this.log.slice(from, this.log.lastIndex()) : [];
    const body = { start, entries, snapshot, commit: this.commitIndex };
    if (this.mutated('promise-before-durable')) this.out.urgentMessages.push({ ...body, type: 'promise', from: this.id, to: m.from, term: m.term } as PaxosMessage);
    else this.send(m.from, 'promise', body, m.term);
  }

  private onPromise(m: Msg<'promise'>): void {
    if (this.role !== 'candidate' || m.term !== this.ballot) return;
    this.promises.set(m.from, m);
    if (this.promises.size + 1 >= this.quorum) this.becomeLeader();
  }

  /** Phase 1 is complete (a majority promised): adopt what they accepted, then lead. */
  private becomeLeader(): void {
    const promises = [...this.promises.values()];
    this.promises = new Map();
    // A promiser that compacted past our commit point sent its snapshot: those slots are chosen.
    const snap = promises.map((p) => p.snapshot).filter((s): s is Snapshot => s !== null).sort((a, b) => b.index - a.index)[0];
    if (snap && snap.index > this.commitIndex) this.installSnapshot(snap);
    const start = this.commitIndex + 1;
    let max = this.log.lastIndex();
    const best = new Map<number, Entry>();
    const consider = (e: Entry) => {
      if (e.index < start) return;
      max = Math.max(max, e.index);
      const cur = best.get(e.index);
      const better = cur === undefined || (this.mutated('not-highest-ballot') ? e.term < cur.term : e.term > cur.term);
      if (better) best.set(e.index, e);
    };
    for (let i = Math.max(start, this.log.snapIndex + 1); i <= this.log.lastIndex(); i++) consider(this.log.entryAt(i));
    for (const p of promises) for (const e of p.entries) consider(e);
    const b = this.ballot;
    const fresh: Entry[] = [];
    for (let s = start; s <= max; s++) {
      const e = best.get(s);
      // The highest-ballot value accepted at s (possibly chosen) is re-proposed; a hole gets a no-op.
      fresh.push(e ? { index: s, term: b, cmd: e.cmd, origin: e.origin ?? e.term } : { index: s, term: b, cmd: null, origin: b });
    }
    fresh.push({ index: max + 1, term: b, cmd: null, origin: b });
    this.noopIndex = max + 1;
    this.role = 'leader';
    this.leader = this.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.reads.reset();
    this.progress = new Map(
      this.peers.map((p) => [p, { next: start, match: 0, lastFrontier: -1, recentActive: false, ackedSeq: 0, snapshotSentTick: -1 }]),
    );
    this.log.truncateFrom(start);
    this.stableIndex = Math.min(this.stableIndex, start - 1);
    this.appendLocal(fresh);
    this.broadcastHeartbeat();
  }

  // ---- phase 2 ------------------------------------------------------------------------------

  private appendLocal(entries: Entry[]): void {
    for (const e of entries) this.log.append(e);
    this.persist({ t: 'entries', entries });
    this.needBroadcast = true;
    if (this.quorum === 1) this.maybeCommit();
  }

  private flushPipelines(): void {
    if (this.needBroadcast) {
      this.needBroadcast = false;
      if (this.role === 'leader') for (const p of this.peers) this.sendAccept(p);
    }
    if (this.reads.hasUnsent() && this.canConfirmReads()) this.flushReads();
  }

  private sendAccept(peer: string): void {
    const pr = this.progress.get(peer);
    if (!pr) return;
    if (pr.snapshotSentTick >= 0) {
      if (this.ticks - pr.snapshotSentTick < this.cfg.electionTicks) return;
      pr.snapshotSentTick = -1;
    }
    const window = this.cfg.maxEntriesPerMessage * this.cfg.maxInflight;
    const base = Math.max(pr.match, pr.lastFrontier, 0);
    while (pr.next <= this.log.lastIndex() && pr.next <= base + window) {
      if (pr.next <= this.log.snapIndex) {
        if (!this.snapshot) throw new Error(`paxos ${this.id}: log compacted to ${this.log.snapIndex} without a snapshot`);
        pr.snapshotSentTick = this.ticks;
        return this.send(peer, 'snapshot', { snapshot: this.snapshot });
      }
      const last = Math.min(this.log.lastIndex(), pr.next + this.cfg.maxEntriesPerMessage - 1);
      // Slots below our phase-1 start are chosen already; they go out in this ballot too.
      const entries = this.log.slice(pr.next, last).map((e) => (e.term === this.ballot ? e : { ...e, term: this.ballot, origin: e.origin ?? e.term }));
      this.send(peer, 'accept', { prevIndex: pr.next - 1, entries, commit: this.commitIndex });
      pr.next = last + 1;
    }
  }

  /** accept, heartbeat and snapshot: messages only a leader sends. */
  private onLeaderMessage(m: Msg<'accept'> | Msg<'heartbeat'> | Msg<'snapshot'>): void {
    const lower = m.term < this.promised;
    if (lower && !(m.type === 'accept' && this.mutated('accept-lower-ballot'))) return this.send(m.from, 'reject', {}, this.promised);
    if (m.term > this.promised && m.type !== 'heartbeat') this.setPromised(m.term);
    if (!lower) {
      if (this.role !== 'follower' && m.term !== this.ballot) this.becomeFollower(m.from);
      this.leader = m.from;
      this.electionElapsed = 0;
    }
    if (m.type === 'heartbeat') {
      this.commitTo(Math.min(m.commit, this.frontier(m.term)));
      // The frontier is not necessarily durable yet: the leader uses it only to decide what to resend.
      return void this.out.urgentMessages.push({ type: 'heartbeat-resp', from: this.id, to: m.from, term: m.term, seq: m.seq, frontier: this.frontier(m.term) } as PaxosMessage);
    }
    if (m.type === 'snapshot') {
      if (m.snapshot.index > this.commitIndex) this.installSnapshot(m.snapshot);
      return this.send(m.from, 'accepted', { ok: true, match: this.frontier(m.term) }, m.term);
    }
    if (m.prevIndex > this.log.lastIndex()) return this.send(m.from, 'accepted', { ok: false, match: this.log.lastIndex() }, m.term);
    let first = -1;
    for (const e of m.entries) {
      if (e.index <= this.commitIndex) continue;
      if (this.log.termAt(e.index) === m.term) continue; // already accepted in this ballot (a duplicate)
      first = e.index;
      break;
    }
    if (first !== -1) {
      const last = m.prevIndex + m.entries.length;
      const kept = last < this.log.lastIndex() ? this.log.slice(last + 1, this.log.lastIndex()) : [];
      const written = [...m.entries.filter((e) => e.index >= first), ...kept];
      this.log.truncateFrom(first);
      for (const e of written) this.log.append(e);
      this.stableIndex = Math.min(this.stableIndex, first - 1);
      if (this.frontierCache.index >= first) this.frontierCache = { ballot: -1, index: 0 };
      this.persist({ t: 'entries', entries: written });
    }
    const match = this.frontier(m.term);
    this.commitTo(Math.min(m.commit, match));
    this.send(m.from, 'accepted', { ok: true, match }, m.term);
  }

  /** Highest slot k such that every slot up to k is chosen here or holds ballot b's value. */
  private frontier(b: number): number {
    let k = Math.max(this.commitIndex, this.frontierCache.ballot === b ? this.frontierCache.index : 0);
    while (this.log.termAt(k + 1) === b) k++;
    this.frontierCache = { ballot: b, index: k };
    return k;
  }

  private onAccepted(m: Msg<'accepted'>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || m.term !== this.ballot || !pr) return;
    pr.recentActive = true;
    if (!m.ok) {
      // A gap: resend from the acceptor's last slot (it answers each message past the gap).
      if (m.match + 1 < pr.next) pr.next = Math.max(m.match + 1, 1);
      return this.sendAccept(m.from);
    }
    pr.snapshotSentTick = -1;
    if (m.match > pr.match) {
      pr.match = m.match;
      this.maybeCommit();
    }
    if (pr.next <= pr.match) pr.next = pr.match + 1;
    this.sendAccept(m.from);
  }

  /** A slot is chosen once a majority accepted it in this ballot (this node once durable). */
  private maybeCommit(): void {
    const matches = [this.stableIndex, ...[...this.progress.values()].map((p) => p.match)].sort((a, b) => b - a);
    const need = this.mutated('short-quorum') ? Math.max(1, this.quorum - 1) : this.quorum;
    const n = matches[need - 1]!;
    if (n > this.commitIndex && this.log.termAt(n) === this.ballot) this.commitTo(n);
  }

  private commitTo(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    this.lastApplied = applyCommitted(this.log, this.kv, this.lastApplied, this.commitIndex, this.out, (e) => e.origin ?? e.term);
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
    this.maybeSnapshot();
  }

  private maybeSnapshot(): void {
    if (this.lastApplied - this.log.snapIndex <= this.cfg.snapshotEntries) return;
    this.snapshot = snapshotAt(this.log, this.kv, this.lastApplied);
    this.persist({ t: 'snapshot', snapshot: this.snapshot, hs: this.hardState(), log: this.log.all() });
  }

  /**
   * Every slot up to the snapshot is chosen; accepted slots after it are kept. The snapshot
   * takes the ballot this node holds at its last slot, if any: storage recovery keeps the log
   * after a snapshot only where the two agree at the boundary (storage.ts attachSnapshot), and
   * a crash between saving the snapshot and rewriting the WAL must not make an acceptor forget
   * the values it accepted after it.
   */
  private installSnapshot(sent: Snapshot): void {
    const s: Snapshot = { ...sent, term: this.log.termAt(sent.index) ?? sent.term };
    this.kv.restore(s.data);
    if (this.log.lastIndex() < s.index) this.log.truncateFrom(this.log.snapIndex + 1);
    this.log.compactTo(s.index, s.term);
    this.snapshot = s;
    this.commitIndex = this.lastApplied = s.index;
    this.stableIndex = Math.max(Math.min(this.stableIndex, this.log.lastIndex()), s.index);
    this.frontierCache = { ballot: -1, index: 0 };
    this.persist({ t: 'snapshot', snapshot: s, hs: this.hardState(), log: this.log.all() });
  }

  // ---- leadership, heartbeats and reads -----------------------------------------------------

  private tickLeader(): void {
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      // check-quorum (the lease-read bug trusts its wall-clock lease instead, as in Raft).
      let active = 1;
      for (const p of this.progress.values()) if (p.recentActive) active++;
      const keep = this.cfg.leaseRead ? this.leaseHeld() : active >= this.quorum;
      for (const p of this.progress.values()) p.recentActive = false;
      if (!keep) return this.becomeFollower(null);
    }
    if (++this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat();
    }
  }

  private broadcastHeartbeat(): void {
    const seq = this.reads.nextRound(this.cfg.leaseRead ? this.cfg.wallClockMs() : 0);
    if (this.quorum === 1) this.confirmRound();
    for (const p of this.peers) this.send(p, 'heartbeat', { commit: this.commitIndex, seq });
  }

  private onHeartbeatResp(m: Msg<'heartbeat-resp'>): void {
    const pr = this.progress.get(m.from);
    if (this.role !== 'leader' || m.term !== this.ballot || !pr) return;
    pr.recentActive = true;
    if (m.seq > pr.ackedSeq) pr.ackedSeq = m.seq;
    this.confirmRound();
    // The acceptor lacks slots in this ballot and made no progress since the previous round: what
    // we sent was lost, or it holds older ballots' values below our phase-1 start; resend.
    if (m.frontier < this.log.lastIndex() && m.frontier === pr.lastFrontier && m.frontier + 1 < pr.next) pr.next = m.frontier + 1;
    pr.lastFrontier = m.frontier;
    this.sendAccept(m.from);
  }

  private leaseHeld(): boolean {
    return this.cfg.wallClockMs() < this.reads.leaseStartWallMs + this.cfg.leaseMs;
  }

  /**
   * The no-op this leader proposed after phase 1 is chosen, so every earlier slot is too and the
   * commit point is current. (Committing only some re-proposed slot is not enough: a value
   * chosen in an earlier ballot may sit, re-proposed, above it.)
   */
  private committedInBallot(): boolean {
    return this.role === 'leader' && this.commitIndex >= this.noopIndex;
  }

  private canConfirmReads(): boolean {
    return this.role === 'leader' && this.committedInBallot() && !this.reads.roundInFlight();
  }

  private flushReads(): void {
    if (!this.canConfirmReads()) return;
    this.reads.assign(this.commitIndex, this.reads.seq + 1);
    this.broadcastHeartbeat();
  }

  private confirmRound(): void {
    const acked = [this.reads.seq, ...[...this.progress.values()].map((p) => p.ackedSeq)].sort((a, b) => b - a);
    this.reads.confirm(acked[this.quorum - 1]!);
    this.out.readsReady.push(...this.reads.takeApplied(this.lastApplied));
  }

  private becomeFollower(leader: string | null): void {
    this.role = 'follower';
    this.leader = leader;
    this.progress.clear();
    this.promises = new Map();
    this.needBroadcast = false;
    this.resetElectionTimer();
    this.failReads();
  }

  private failReads(): void {
    this.out.readsFailed.push(...this.reads.failAll());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private setPromised(b: number): void {
    this.promised = b;
    this.hsDirty = true;
    this.frontierCache = { ballot: -1, index: 0 };
  }

  private hardState(): HardState {
    return { term: this.promised, vote: this.promised > 0 ? this.owner(this.promised) : null };
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedTimeout = this.cfg.electionTicks + Math.floor(this.cfg.random() * this.cfg.electionTicks);
  }

  private notLeader(): { ok: false; error: 'not-leader'; leader?: string } {
    return this.leader !== null && this.leader !== this.id ? { ok: false, error: 'not-leader', leader: this.leader } : { ok: false, error: 'not-leader' };
  }

  private persist(op: PersistOp): void {
    const ops = this.out.persist;
    const last = ops[ops.length - 1];
    if (op.t === 'entries' && last?.t === 'entries' && last.entries.length > 0 && op.entries.length > 0 && op.entries[0]!.index === last.entries[last.entries.length - 1]!.index + 1) {
      last.entries.push(...op.entries);
    } else ops.push(op);
  }

  /**
   * Queues a message. The leader's accepts, heartbeats and snapshots depend on nothing unpersisted
   * (its promise was durable before phase 1; it counts itself only once its own write is), so
   * they go at once; promises, accepted answers and rejects report acceptor state and wait for it.
   */
  private send<T extends PaxosMessage['type']>(to: string, type: T, body: Body<T>, term = this.ballot): void {
    const m = { ...body, type, from: this.id, to, term } as unknown as PaxosMessage;
    const urgent = this.role === 'leader' && (type === 'accept' || type === 'heartbeat' || type === 'snapshot');
    if (urgent) this.out.urgentMessages.push(m);
    else this.out.messages.push(m);
  }
}
