// How a replication core collects its output into a Ready (protocol.ts) — one implementation for
// Raft, Multi-Paxos and Zab, which share the contract with the host (server.ts, sim/): urgent
// output (appends, heartbeats, applied entries, reads) may leave before the disk catches up;
// everything else leaves with the Ready after it is persisted. The rules that make a Ready safe
// live here once: a snapshot op carries the hard state as of the Ready that writes it (one taken
// earlier would be applied after the hs op and silently undo a term, vote, promise or epoch raised
// since), and applying committed entries walks the log in index order with no gaps.

import type { ApplyResult, KvStore } from './kv.js';
import type { Entry, HardState, Ready, Snapshot } from './protocol.js';

export function emptyReady(): Ready {
  return { persist: [], messages: [], urgentMessages: [], applied: [], readsReady: [], readsFailed: [], lastIndex: 0, lastTerm: 0 };
}

/** Output that must wait for the disk: something to persist, a changed hard state, a message. */
export function hasDurableOutput(o: Ready, hsDirty: boolean): boolean {
  return hsDirty || o.persist.length > 0 || o.messages.length > 0;
}

/** Output that may leave at once: urgent messages, applied entries, reads served or failed. */
export function hasUrgentOutput(o: Ready): boolean {
  return o.urgentMessages.length > 0 || o.applied.length > 0 || o.readsReady.length > 0 || o.readsFailed.length > 0;
}

/** Moves the urgent output out of `o` into a Ready of its own. */
export function takeUrgentOutput(o: Ready): Ready {
  const u = { ...emptyReady(), urgentMessages: o.urgentMessages, applied: o.applied, readsReady: o.readsReady, readsFailed: o.readsFailed };
  o.urgentMessages = [];
  o.applied = [];
  o.readsReady = [];
  o.readsFailed = [];
  return u;
}

/**
 * Seals `r` as the next Ready: every snapshot op carries `hs` (the hard state now), an hs op goes
 * first when it changed, and the Ready names the log's last index and term it makes durable.
 */
export function sealReady(r: Ready, hs: HardState, hsDirty: boolean, log: { lastIndex(): number; lastTerm(): number }): Ready {
  for (const op of r.persist) if (op.t === 'snapshot') op.hs = hs;
  if (hsDirty) r.persist.unshift({ t: 'hs', hs });
  r.lastIndex = log.lastIndex();
  r.lastTerm = log.lastTerm();
  return r;
}

/**
 * Applies the entries after `lastApplied` up to `commitIndex` to `kv`, in index order, recording
 * each in `out.applied` under the term `termOf` gives it (Paxos reports the ballot that first
 * proposed a value). A null command is a no-op. Returns the new last applied index.
 */
export function applyCommitted(
  log: { entryAt(index: number): Entry },
  kv: KvStore,
  lastApplied: number,
  commitIndex: number,
  out: Ready,
  termOf: (e: Entry) => number = (e) => e.term,
): number {
  while (lastApplied < commitIndex) {
    const e = log.entryAt(lastApplied + 1);
    const result: ApplyResult = e.cmd === null ? { ok: true, value: null } : kv.apply(e.cmd);
    lastApplied = e.index;
    out.applied.push({ index: e.index, term: termOf(e), cmd: e.cmd, result });
  }
  return lastApplied;
}

/** A snapshot of `kv` at `lastApplied`, with the log compacted up to it (the caller persists it). */
export function snapshotAt(log: { termAt(index: number): number | undefined; compactTo(index: number, term: number): void }, kv: KvStore, lastApplied: number): Snapshot {
  const term = log.termAt(lastApplied)!;
  const s = { index: lastApplied, term, data: kv.snapshot() };
  log.compactTo(lastApplied, term);
  return s;
}
