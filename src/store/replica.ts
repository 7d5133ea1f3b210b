// The protocol-neutral half of a node: turns client requests into proposals and reads on a
// ReplicationCore, remembers who is waiting for what, and answers them once a Ready has been
// persisted. The real server and the simulator both host a core through this class, so the
// --bug switches (stale-read, early-ack, lease-read) behave the same in both.

import type { Bug } from './bugs.js';
import { isReadOnly, type Command, type KvStore } from './kv.js';
import type { CoreStatus, ReplicationCore, Ready } from './protocol.js';

/** The answer to one client request; `definite: false` means the outcome is unknown. */
export type Reply =
  | { ok: true; value: unknown }
  | { ok: false; error: string; definite: boolean; leader?: string };

interface PendingWrite {
  term: number;
  cmd: Command;
  reply: (r: Reply) => void;
  deadlineTick: number;
}

interface PendingRead {
  /** Answers from the local state machine once the read is confirmed. */
  serve: () => Reply;
  reply: (r: Reply) => void;
  deadlineTick: number;
}

export class Replica {
  /**
   * Pending writes by log index. An index can hold more than one: a leader that lost its term
   * and regained it may propose again at an index where its earlier entry was truncated away
   * (and may yet be committed by another leader that still holds it).
   */
  private writes = new Map<number, PendingWrite[]>();
  private reads = new Map<number, PendingRead>();
  private nextReadCtx = 1;
  private ticks = 0;

  constructor(
    readonly core: ReplicationCore,
    private readonly kv: KvStore,
    private readonly bugs: ReadonlySet<Bug>,
    private readonly requestTimeoutTicks: number,
  ) {}

  /** Starts serving one client command; `reply` is called exactly once. */
  submit(cmd: Command, reply: (r: Reply) => void): void {
    // A get, or a txn of reads only: served like a read (ReadIndex / read barrier / sync), not logged.
    if (isReadOnly(cmd)) return this.read(cmd, reply);
    // The lock service's time: the proposer's wall clock, stamped into the entry so every replica
    // judges the lease alike (a clean client's own `now`/`trusted` never reach the log).
    if (cmd.op === 'lock-acquire') cmd = { ...cmd, now: Date.now() };
    // lock-lease-clock bug: a write whose lease has not run out by this node's clock is trusted
    // and skips the resource's fencing check (the lease, stamped by the clock of whichever node
    // granted it, judged by another clock).
    else if (cmd.op === 'lock-write') cmd = { ...cmd, trusted: this.bugs.has('lock-lease-clock') && Date.now() < cmd.expiresAt };
    const p = this.core.propose(cmd);
    if (!p.ok) return reply(notLeader(p.leader));
    const w: PendingWrite = { term: p.term, cmd, reply, deadlineTick: this.ticks + this.requestTimeoutTicks };
    const at = this.writes.get(p.index);
    if (at) at.push(w);
    else this.writes.set(p.index, [w]);
  }

  private read(cmd: Command, reply: (r: Reply) => void): void {
    const serve = (): Reply => {
      const r = this.kv.preview(cmd);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error, definite: true };
    };
    // stale-read bug: any node answers from whatever it has applied, leader or not.
    if (this.bugs.has('stale-read')) return reply(serve());
    // txn-local-read bug: a read-only transaction is answered at once from the contacted node's
    // applied state (leader or follower, "a read-only txn needs no coordination"), skipping the
    // read barrier: stale snapshots, out of real-time order.
    if (cmd.op === 'txn' && this.bugs.has('txn-local-read')) return reply(serve());
    // lease-read bug: the leader skips the heartbeat round while its wall-clock lease holds.
    if (this.bugs.has('lease-read') && this.core.leaseValid()) return reply(serve());
    const ctx = this.nextReadCtx++;
    const r = this.core.read(ctx);
    if (!r.ok) return reply(notLeader(r.leader));
    this.reads.set(ctx, { serve, reply, deadlineTick: this.ticks + this.requestTimeoutTicks });
  }

  /** One clock tick: drives the core and expires requests that waited too long. */
  tick(): void {
    this.ticks++;
    this.core.tick();
    this.takeWrites((_, w) => w.deadlineTick <= this.ticks, (w) => w.reply({ ok: false, error: 'timeout', definite: false }));
    for (const [ctx, r] of this.reads) {
      if (r.deadlineTick > this.ticks) continue;
      this.reads.delete(ctx);
      // A read changes nothing, so a read that gave no value has definitely failed.
      r.reply({ ok: false, error: 'timeout', definite: true });
    }
  }

  /**
   * Answers what a Ready says is settled: committed writes, confirmed or failed reads. None of
   * it depends on the Ready's own persist operations (a commit is durable on a majority
   * already), so call this as soon as the Ready is taken, before its fsync.
   */
  deliver(ready: Ready): void {
    for (const a of ready.applied) this.answerWrite(a.index, a.term, a.result);
    for (const ctx of ready.readsReady) this.answerRead(ctx, (r) => r.serve());
    if (ready.readsFailed.length > 0) {
      const leader = this.core.status().leader;
      for (const ctx of ready.readsFailed) this.answerRead(ctx, () => notLeader(leader));
    }
    if (ready.persist.some((op) => op.t === 'snapshot')) this.sweepSkipped();
  }

  /** Call once the Ready's persist operations are durable (or, with no-fsync, merely issued). */
  persisted(ready: Ready): void {
    if (ready.persist.length === 0) return;
    this.core.onStable(ready.lastIndex, ready.lastTerm);
    if (this.bugs.has('early-ack')) this.ackEarly(ready.lastIndex);
  }

  private answerWrite(index: number, term: number, result: { ok: true; value: unknown } | { ok: false; error: string }): void {
    const ws = this.writes.get(index);
    if (!ws) return;
    this.writes.delete(index);
    for (const w of ws) {
      // Another leader's entry was committed at this index; ours existed only here, so it never will be.
      if (w.term !== term) w.reply({ ok: false, error: 'superseded', definite: true });
      else w.reply(result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error, definite: true });
    }
  }

  private answerRead(ctx: number, make: (r: PendingRead) => Reply): void {
    const r = this.reads.get(ctx);
    if (!r) return;
    this.reads.delete(ctx);
    r.reply(make(r));
  }

  /** early-ack bug: a write is acknowledged as soon as the leader's own log holds it. */
  private ackEarly(durableIndex: number): void {
    if (this.core.status().role !== 'leader') return;
    const term = this.core.status().term;
    this.takeWrites((index, w) => index <= durableIndex && w.term === term, (w) => {
      const r = this.kv.preview(w.cmd);
      w.reply(r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error, definite: true });
    });
  }

  /** Writes whose index a snapshot jumped over: we cannot tell whether ours was the entry. */
  private sweepSkipped(): void {
    const applied = this.core.status().lastApplied;
    this.takeWrites((index) => index <= applied, (w) => w.reply({ ok: false, error: 'unknown-outcome', definite: false }));
  }

  /** Answers everything still waiting (the node is shutting down). */
  abandonAll(): void {
    for (const ws of this.writes.values()) for (const w of ws) w.reply({ ok: false, error: 'shutting-down', definite: false });
    for (const r of this.reads.values()) r.reply({ ok: false, error: 'shutting-down', definite: true });
    this.writes.clear();
    this.reads.clear();
  }

  /** Removes the pending writes matching `which` and answers each with `answer`. */
  private takeWrites(which: (index: number, w: PendingWrite) => boolean, answer: (w: PendingWrite) => void): void {
    for (const [index, ws] of this.writes) {
      const keep = ws.filter((w) => !which(index, w));
      if (keep.length === ws.length) continue;
      if (keep.length === 0) this.writes.delete(index);
      else this.writes.set(index, keep);
      for (const w of ws) if (which(index, w)) answer(w);
    }
  }

  status(): CoreStatus {
    return this.core.status();
  }
}

function notLeader(leader: string | undefined): Reply {
  return leader === undefined ? { ok: false, error: 'not-leader', definite: true } : { ok: false, error: 'not-leader', definite: true, leader };
}
