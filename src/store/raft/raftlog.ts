// Raft's in-memory log: the entries after the latest snapshot, addressed by absolute index.
// Index `snapIndex` is the last entry folded into the snapshot; its term is kept so the
// consistency check of AppendEntries still works at the snapshot boundary.

import type { Entry } from '../protocol.js';

export class RaftLog {
  constructor(
    private entries: Entry[],
    public snapIndex: number,
    public snapTerm: number,
  ) {}

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex()) ?? this.snapTerm;
  }

  /** Term of the entry at index, or undefined when it was compacted away or does not exist. */
  termAt(index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1]!.term;
  }

  entryAt(index: number): Entry {
    const e = this.entries[index - this.snapIndex - 1];
    if (e === undefined || e.index !== index) throw new Error(`raft log has no entry ${index} (snapshot ${this.snapIndex}, last ${this.lastIndex()})`);
    return e;
  }

  /** Entries in [from, to] inclusive; `from` must be past the snapshot. */
  slice(from: number, to: number): Entry[] {
    return this.entries.slice(from - this.snapIndex - 1, to - this.snapIndex);
  }

  append(e: Entry): void {
    this.entries.push(e);
  }

  /** Drops every entry at or after index (a conflict with the leader's log). */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(0, index - this.snapIndex - 1);
  }

  /** Folds entries up to index into a snapshot (the caller has the state machine image). */
  compactTo(index: number, term: number): void {
    this.entries = index >= this.lastIndex() ? [] : this.entries.slice(index - this.snapIndex);
    this.snapIndex = index;
    this.snapTerm = term;
  }

  /** Largest index ≤ index whose term is ≤ term: the leader's and follower's back-off hint. */
  lastIndexWithTermAtMost(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapIndex && (this.termAt(i) ?? 0) > term) i--;
    return i;
  }

  all(): Entry[] {
    return this.entries.slice();
  }

  get length(): number {
    return this.entries.length;
  }
}
