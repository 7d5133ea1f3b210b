// The write-ahead log: an append-only file of framed JSON records, appended and fsynced
// before anything that depends on them is acknowledged. Concurrent appends are batched into
// one write and one fdatasync (group commit). Recovery tolerates a torn last record (the
// crash happened mid-write: it is truncated away) and refuses any other damage, loudly,
// naming the file and the byte offset.
//
// Record frame: [u32 LE payload length][u32 LE CRC-32 of payload][payload: UTF-8 JSON].

import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 8;
/**
 * How long the no-fsync bug keeps acknowledged records only in memory. Long enough that a
 * kill -9 during a test run loses a visible batch of acknowledged writes, not just a few.
 */
export const LAZY_FLUSH_MS = 5000;
/** A record larger than this cannot have been written by us: the length field is damaged. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * always: fdatasync every batch (the default, and the only durable mode).
 * never: write every batch but never fsync (fast, survives a process kill, not power loss).
 * lazy: the no-fsync bug: keep records in memory, write them every lazyFlushMs, never fsync,
 *       so a kill -9 loses whatever was acknowledged since the last flush.
 */
export type FsyncMode = 'always' | 'never' | 'lazy';

export class WalCorruptError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`corrupt log ${file} at byte offset ${offset}: ${reason}; refusing to start (restore the node's data or wipe it to rejoin empty)`);
    this.name = 'WalCorruptError';
  }
}

export function encodeRecord(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  body.copy(frame, HEADER_BYTES);
  return frame;
}

export interface Decoded {
  records: unknown[];
  /** Bytes up to the end of the last good record. */
  validBytes: number;
  /** Bytes after it that look like a write cut short by a crash. */
  tornBytes: number;
}

/** Decodes a whole log image; throws WalCorruptError on damage that is not a torn tail. */
export function decodeRecords(buf: Buffer, file: string): Decoded {
  const records: unknown[] = [];
  let off = 0;
  while (off < buf.length) {
    const rest = buf.length - off;
    const torn = { records, validBytes: off, tornBytes: rest };
    if (rest < HEADER_BYTES || isAllZero(buf, off)) return torn;
    const len = buf.readUInt32LE(off);
    if (len === 0 || len > MAX_RECORD_BYTES) throw new WalCorruptError(file, off, `impossible record length ${len}`);
    if (HEADER_BYTES + len > rest) {
      // A torn write is the last thing in the file; a damaged length in the middle is not.
      const next = nextValidRecord(buf, off + 1);
      if (next === -1) return torn;
      throw new WalCorruptError(file, off, `record ${records.length} claims ${len} bytes, past the end of the file, yet a valid record follows at offset ${next}`);
    }
    const body = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    const end = off + HEADER_BYTES + len;
    if (crc32(body) !== buf.readUInt32LE(off + 4)) {
      if (end === buf.length) return torn; // the last record, partly written
      throw new WalCorruptError(file, off, `checksum mismatch in record ${records.length} with ${buf.length - end} bytes after it`);
    }
    try {
      records.push(JSON.parse(body.toString('utf8')));
    } catch (err) {
      throw new WalCorruptError(file, off, `record ${records.length} has a valid checksum but is not JSON (${(err as Error).message})`);
    }
    off = end;
  }
  return { records, validBytes: off, tornBytes: 0 };
}

/** Offset of the first well-formed record (length, checksum, JSON object) at or after from, or -1. */
function nextValidRecord(buf: Buffer, from: number): number {
  for (let off = from; off + HEADER_BYTES < buf.length; off++) {
    const len = buf.readUInt32LE(off);
    if (len === 0 || off + HEADER_BYTES + len > buf.length) continue;
    if (buf[off + HEADER_BYTES] !== 0x7b) continue; // every payload is a JSON object: '{'
    if (crc32(buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len)) === buf.readUInt32LE(off + 4)) return off;
  }
  return -1;
}

function isAllZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

interface Waiter {
  frames: Buffer[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Wal {
  private queue: Waiter[] = [];
  private writing: Promise<void> | null = null;
  private lazy: Buffer[] = [];
  private lazyTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    readonly path: string,
    private fh: FileHandle,
    readonly mode: FsyncMode,
    private readonly lazyFlushMs: number,
  ) {}

  /** Opens (creating) a log, returning its records; a torn tail is cut off the file first. */
  static async open(path: string, mode: FsyncMode, lazyFlushMs = LAZY_FLUSH_MS): Promise<{ wal: Wal; records: unknown[]; tornBytes: number }> {
    let image: Buffer;
    try {
      image = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      image = Buffer.alloc(0);
    }
    const d = decodeRecords(image, path);
    if (d.tornBytes > 0) {
      await truncate(path, d.validBytes);
      fsyncPath(path);
    }
    const fh = await open(path, 'a');
    if (image.length === 0) fsyncPath(dirname(path));
    return { wal: new Wal(path, fh, mode, lazyFlushMs), records: d.records, tornBytes: d.tornBytes };
  }

  /** Appends records; resolves once they are durable (per the mode). Batches concurrent calls. */
  append(records: unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`log ${this.path} is closed`));
    const frames = records.map(encodeRecord);
    if (this.mode === 'lazy') {
      this.lazy.push(...frames);
      this.lazyTimer ??= setTimeout(() => void this.flushLazy(), this.lazyFlushMs);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ frames, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.fh.write(Buffer.concat(batch.flatMap((w) => w.frames)));
        if (this.mode === 'always') await this.fh.datasync();
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = null;
  }

  private async flushLazy(): Promise<void> {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    if (this.lazy.length === 0) return;
    const data = Buffer.concat(this.lazy.splice(0));
    await this.fh.write(data);
  }

  /** Waits until every accepted append has reached the file. */
  async settle(): Promise<void> {
    while (this.writing) await this.writing;
    await this.flushLazy();
  }

  /** Atomically replaces the whole log with these records (compaction after a snapshot). */
  async rewrite(records: unknown[]): Promise<void> {
    await this.settle();
    const tmp = `${this.path}.tmp`;
    await writeAtomically(tmp, this.path, Buffer.concat(records.map(encodeRecord)), this.mode === 'always');
    await this.fh.close();
    this.fh = await open(this.path, 'a');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.settle();
    this.closed = true;
    await this.fh.close();
  }
}

/** Writes data to tmp, fsyncs it, renames it over target and fsyncs the directory. */
export async function writeAtomically(tmp: string, target: string, data: Buffer, durable: boolean): Promise<void> {
  await writeFile(tmp, data);
  if (durable) fsyncPath(tmp);
  await rename(tmp, target);
  if (durable) fsyncPath(dirname(target));
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
