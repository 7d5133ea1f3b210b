// A node's durable state on disk: `wal.bin` (hard state, entries and truncations as PersistOp
// records) and `snapshot.bin` (the latest snapshot, one framed record, replaced atomically).
// After a snapshot the WAL is rewritten to hold only the hard state and the retained entries,
// which is the log compaction that keeps both files bounded.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPersist, durableTermAt, emptyDurable } from './durable.js';
import type { DurableState } from './durable.js';
import { decodeRecords, encodeRecord, Wal, WalCorruptError, writeAtomically } from './log.js';
import type { FsyncMode } from './log.js';
import type { PersistOp, Snapshot } from './protocol.js';

export class DiskStorage {
  private constructor(
    private readonly dir: string,
    private readonly wal: Wal,
  ) {}

  /** Opens the data directory and recovers the durable state (empty on first start). */
  static async open(dir: string, mode: FsyncMode): Promise<{ storage: DiskStorage; state: DurableState; tornBytes: number }> {
    await mkdir(dir, { recursive: true });
    const snapshot = await readSnapshot(join(dir, 'snapshot.bin'));
    const { wal, records, tornBytes } = await Wal.open(join(dir, 'wal.bin'), mode);
    const state = emptyDurable();
    applyPersist(state, records as PersistOp[], undefined, true);
    return { storage: new DiskStorage(dir, wal), state: attachSnapshot(state, snapshot), tornBytes };
  }

  /** Makes the operations durable, in order; resolves when they are (per the fsync mode). */
  async persist(ops: PersistOp[]): Promise<void> {
    let run: PersistOp[] = [];
    for (const op of ops) {
      if (op.t !== 'snapshot') {
        run.push(op);
        continue;
      }
      if (run.length > 0) await this.wal.append(run);
      run = [];
      await this.saveSnapshot(op.snapshot);
      await this.wal.rewrite([{ t: 'hs', hs: op.hs }, { t: 'entries', entries: op.log }]);
    }
    if (run.length > 0) await this.wal.append(run);
  }

  private async saveSnapshot(s: Snapshot): Promise<void> {
    const target = join(this.dir, 'snapshot.bin');
    await writeAtomically(`${target}.tmp`, target, encodeRecord(s), this.wal.mode === 'always');
  }

  close(): Promise<void> {
    return this.wal.close();
  }
}

async function readSnapshot(path: string): Promise<Snapshot | null> {
  let image: Buffer;
  try {
    image = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // The snapshot file is only ever replaced by rename, so a torn one is damage, not a crash.
  const d = decodeRecords(image, path);
  if (d.records.length !== 1 || d.tornBytes > 0) throw new WalCorruptError(path, d.validBytes, 'snapshot file is incomplete');
  return d.records[0] as Snapshot;
}

/**
 * Joins the snapshot with the replayed log. A crash between saving a snapshot and rewriting
 * the WAL leaves an older log that still holds the snapshot's entries: they are dropped. A log
 * that does not agree with the snapshot at its boundary (an installed snapshot replaced a
 * conflicting log) is dropped entirely.
 */
function attachSnapshot(state: DurableState, snapshot: Snapshot | null): DurableState {
  if (!snapshot) return state;
  const first = state.entries[0]?.index;
  const agrees = first === snapshot.index + 1 || durableTermAt(state, snapshot.index) === snapshot.term;
  const entries = agrees ? state.entries.filter((e) => e.index > snapshot.index) : [];
  return { hs: state.hs, snapshot, entries };
}
