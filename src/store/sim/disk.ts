// A simulated disk: what survives a crash. Normally every persist is durable at once (the
// server fsyncs before acting on a Ready). With the no-fsync bug, writes sit in a volatile
// buffer that is flushed only every `lazyFlushTicks`, and a crash throws the buffer away.

import { applyPersist, emptyDurable } from '../durable.js';
import type { DurableState } from '../durable.js';
import type { Entry, PersistOp } from '../protocol.js';

export class SimDisk {
  durable: DurableState = emptyDurable();
  private volatile: PersistOp[][] = [];
  private sinceFlushTicks = 0;

  constructor(
    private readonly noFsync: boolean,
    private readonly lazyFlushTicks: number,
    private readonly onAppend?: (e: Entry, prevTerm: number | undefined) => void,
  ) {}

  persist(ops: PersistOp[]): void {
    if (ops.length === 0) return;
    if (this.noFsync) this.volatile.push(ops);
    else applyPersist(this.durable, ops, this.onAppend);
  }

  tick(): void {
    if (!this.noFsync || ++this.sinceFlushTicks < this.lazyFlushTicks) return;
    this.sinceFlushTicks = 0;
    this.flush();
  }

  flush(): void {
    for (const ops of this.volatile) applyPersist(this.durable, ops, this.onAppend);
    this.volatile = [];
  }

  /** Power loss: unflushed writes are gone. */
  crash(): void {
    this.volatile = [];
  }

  /** What a restarting node reads back (copied, so the node cannot alias the disk). */
  load(): DurableState {
    return { hs: { ...this.durable.hs }, snapshot: this.durable.snapshot, entries: this.durable.entries.slice() };
  }
}
