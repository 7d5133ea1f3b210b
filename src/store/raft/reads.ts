// ReadIndex bookkeeping on the leader (Raft thesis §6.4), batched: every read that arrives
// before a heartbeat round shares that round. A read is confirmed when a majority acknowledged
// a round sent after it arrived, and served once the state machine has applied its read index.
// The same rounds time the wall-clock lease of the lease-read bug.

interface Waiting {
  ctx: number;
  index: number;
  seq: number;
}

/** Rounds remembered for the lease; older ones are dropped (a cut-off leader sends many). */
const MAX_ROUNDS_REMEMBERED = 4096;

export class ReadQueue {
  /** The newest heartbeat round sent. */
  seq = 0;
  leaseStartWallMs = -Infinity;
  private unsent: number[] = [];
  private waiting: Waiting[] = [];
  private confirmed: Waiting[] = [];
  private confirmedSeq = 0;
  private lastReadRound = 0;
  private roundWallMs = new Map<number, number>();

  add(ctx: number): void {
    this.unsent.push(ctx);
  }

  hasUnsent(): boolean {
    return this.unsent.length > 0;
  }

  /** Waiting reads get the commit index now and the round about to be sent. */
  assign(index: number, seq: number): void {
    for (const ctx of this.unsent) this.waiting.push({ ctx, index, seq });
    this.unsent = [];
    this.lastReadRound = seq;
  }

  /**
   * A round carrying reads is still unconfirmed. New reads then wait for the next round, so
   * under load one round trip serves every read that arrived during the previous one.
   */
  roundInFlight(): boolean {
    return this.lastReadRound > this.confirmedSeq;
  }

  /** Starts a heartbeat round; remembers when it was sent by the (possibly skewed) wall clock. */
  nextRound(wallMs: number): number {
    this.seq++;
    this.roundWallMs.set(this.seq, wallMs);
    if (this.roundWallMs.size > MAX_ROUNDS_REMEMBERED) this.roundWallMs.delete(this.roundWallMs.keys().next().value!);
    return this.seq;
  }

  /** A majority acknowledged round `seq`: confirms leadership as of when it was sent. */
  confirm(seq: number): void {
    if (seq <= this.confirmedSeq) return;
    this.confirmedSeq = seq;
    const still: Waiting[] = [];
    for (const w of this.waiting) (w.seq <= seq ? this.confirmed : still).push(w);
    this.waiting = still;
    const sentWallMs = this.roundWallMs.get(seq);
    if (sentWallMs !== undefined && sentWallMs > this.leaseStartWallMs) this.leaseStartWallMs = sentWallMs;
    for (const k of this.roundWallMs.keys()) if (k <= seq) this.roundWallMs.delete(k);
  }

  /** Confirmed reads whose index the state machine has reached. */
  takeApplied(lastApplied: number): number[] {
    if (this.confirmed.length === 0) return [];
    const ready: number[] = [];
    const still: Waiting[] = [];
    for (const w of this.confirmed) {
      if (w.index <= lastApplied) ready.push(w.ctx);
      else still.push(w);
    }
    this.confirmed = still;
    return ready;
  }

  /** Leadership lost: every read still here must be answered with a failure. */
  failAll(): number[] {
    const all = [...this.unsent, ...this.waiting.map((w) => w.ctx), ...this.confirmed.map((w) => w.ctx)];
    this.reset();
    return all;
  }

  reset(): void {
    this.unsent = [];
    this.waiting = [];
    this.confirmed = [];
    this.confirmedSeq = this.seq;
    this.roundWallMs.clear();
    this.leaseStartWallMs = -Infinity;
  }
}
