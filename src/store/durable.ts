// The durable state of one node as storage sees it (hard state, latest snapshot, log entries
// after it) and how a batch of persist operations changes it. Shared by the WAL recovery on
// disk and the simulator's in-memory disks, so both replay exactly the same way.

import type { Entry, HardState, PersistOp, Snapshot } from './protocol.js';

export interface DurableState {
  hs: HardState;
  snapshot: Snapshot | null;
  /** Contiguous entries; entries[0].index is snapshot.index + 1 when both exist. */
  entries: Entry[];
}

export function emptyDurable(): DurableState {
  return { hs: { term: 0, vote: null }, snapshot: null, entries: [] };
}

/** Term of the durable entry at index (the snapshot's term at its boundary). */
export function durableTermAt(s: DurableState, index: number): number | undefined {
  if (s.snapshot && index === s.snapshot.index) return s.snapshot.term;
  if (index === 0) return 0;
  const first = s.entries[0]?.index;
  if (first === undefined || index < first) return undefined;
  return s.entries[index - first]?.term;
}

/**
 * Applies persist operations in order. `onAppend` sees each appended entry with the term of
 * the entry before it (the simulator checks Log Matching there). Throws on a gap: that is a
 * bug in the core, and replaying it silently would corrupt the log.
 */
export function applyPersist(s: DurableState, ops: PersistOp[], onAppend?: (e: Entry, prevTerm: number | undefined) => void, recovering = false): void {
  for (const op of ops) {
    switch (op.t) {
      case 'hs':
        s.hs = op.hs;
        break;
      case 'truncate':
        truncateFrom(s, op.fromIndex);
        break;
      case 'snapshot':
        s.snapshot = op.snapshot;
        s.hs = op.hs;
        s.entries = op.log.slice();
        break;
      case 'entries':
        for (const e of op.entries) {
          // A log rewritten after a snapshot starts past index 1; its snapshot is attached later.
          if (recovering && s.entries.length === 0 && !s.snapshot) s.entries.push(e);
          else appendOne(s, e, onAppend);
        }
        break;
    }
  }
}

function truncateFrom(s: DurableState, index: number): void {
  const first = s.entries[0]?.index;
  if (first === undefined) return;
  s.entries.length = Math.max(0, index - first);
}

function appendOne(s: DurableState, e: Entry, onAppend?: (e: Entry, prevTerm: number | undefined) => void): void {
  const last = s.entries[s.entries.length - 1]?.index ?? s.snapshot?.index ?? 0;
  if (e.index <= (s.snapshot?.index ?? 0)) throw new Error(`appending entry ${e.index} inside snapshot ${s.snapshot?.index}`);
  if (e.index <= last) truncateFrom(s, e.index);
  else if (e.index !== last + 1) throw new Error(`log gap: appending entry ${e.index} after ${last}`);
  onAppend?.(e, durableTermAt(s, e.index - 1));
  s.entries.push(e);
}
