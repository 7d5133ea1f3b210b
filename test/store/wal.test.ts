// The write-ahead log and the disk storage on top of it: round trips, group commit, a torn
// last record tolerated and cut off, damage anywhere else refused with file and offset, and
// recovery across snapshots and compaction.

import test from 'ava';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecords, encodeRecord, Wal, WalCorruptError } from '../../src/store/log.js';
import type { Entry, PersistOp } from '../../src/store/protocol.js';
import { DiskStorage } from '../../src/store/storage.js';
import { tempDir } from './helpers/tmp.js';

const rec = (i: number) => ({ i, text: `record ${i} ✓` });

async function writeLog(path: string, n: number): Promise<void> {
  const { wal } = await Wal.open(path, 'always');
  for (let i = 0; i < n; i++) await wal.append([rec(i)]);
  await wal.close();
}

test('appended records come back in order after reopening', async (t) => {
  const path = join(tempDir(t), 'wal.bin');
  await writeLog(path, 5);
  const { wal, records, tornBytes } = await Wal.open(path, 'always');
  await wal.close();
  t.deepEqual(records, [0, 1, 2, 3, 4].map(rec));
  t.is(tornBytes, 0);
});

test('concurrent appends are batched and all become durable in call order', async (t) => {
  const path = join(tempDir(t), 'wal.bin');
  const { wal } = await Wal.open(path, 'always');
  await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append([rec(i)])));
  await wal.close();
  const { wal: again, records } = await Wal.open(path, 'always');
  await again.close();
  t.deepEqual(records, Array.from({ length: 200 }, (_, i) => rec(i)));
});

const tornTails: Array<[string, (path: string) => void]> = [
  ['a partial header', (p) => appendFileSync(p, Buffer.from([7, 0, 0]))],
  ['a partial payload', (p) => appendFileSync(p, encodeRecord(rec(99)).subarray(0, 15))],
  ['a last record with a bad checksum', (p) => {
    const frame = encodeRecord(rec(99));
    frame.writeUInt8(frame.readUInt8(frame.length - 2) ^ 0xff, frame.length - 2);
    appendFileSync(p, frame);
  }],
  ['zeros after the last record', (p) => appendFileSync(p, Buffer.alloc(64))],
];

for (const [what, damage] of tornTails) {
  test(`a torn tail (${what}) is tolerated and truncated`, async (t) => {
    const path = join(tempDir(t), 'wal.bin');
    await writeLog(path, 3);
    const goodBytes = statSync(path).size;
    damage(path);
    const { wal, records, tornBytes } = await Wal.open(path, 'always');
    t.deepEqual(records, [0, 1, 2].map(rec));
    t.true(tornBytes > 0);
    t.is(statSync(path).size, goodBytes, 'the torn bytes were cut off the file');
    await wal.append([rec(3)]);
    await wal.close();
    const { wal: again, records: after } = await Wal.open(path, 'always');
    await again.close();
    t.deepEqual(after, [0, 1, 2, 3].map(rec), 'appends after recovery are readable');
  });
}

test('a damaged record in the middle is refused with the file and its offset', async (t) => {
  const path = join(tempDir(t), 'wal.bin');
  await writeLog(path, 4);
  const image = readFileSync(path);
  const second = encodeRecord(rec(0)).length;
  image.writeUInt8(image.readUInt8(second + 10) ^ 0x01, second + 10); // a payload byte of record 1
  writeFileSync(path, image);
  const err = await t.throwsAsync(() => Wal.open(path, 'always'), { instanceOf: WalCorruptError });
  t.is(err!.offset, second);
  t.is(err!.file, path);
  t.regex(err!.message, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at byte offset ${second}: checksum mismatch`));
  t.is(readFileSync(path).length, image.length, 'a refused log is left untouched');
});

test('a damaged length in the middle that points past the end is refused, not taken for a torn tail', (t) => {
  const frames = [0, 1, 2, 3].map((i) => encodeRecord(rec(i)));
  const image = Buffer.concat(frames);
  const at = frames[0]!.length;
  image.writeUInt32LE(image.length * 4, at); // record 1's length now runs past the end of the file
  const err = t.throws(() => decodeRecords(image, 'w.bin'), { instanceOf: WalCorruptError });
  t.is(err!.offset, at);
  t.regex(err!.message, /past the end of the file, yet a valid record follows/);
});

test('an impossible length field is refused, not mistaken for a torn tail', (t) => {
  const image = Buffer.concat([encodeRecord(rec(0)), Buffer.from([0, 0, 0, 0, 1, 2, 3, 4]), encodeRecord(rec(1))]);
  const err = t.throws(() => decodeRecords(image, 'x.bin'), { instanceOf: WalCorruptError });
  t.is(err!.offset, encodeRecord(rec(0)).length);
});

test('lazy mode (the no-fsync bug) keeps acknowledged records only in memory until a flush', async (t) => {
  const path = join(tempDir(t), 'wal.bin');
  const { wal } = await Wal.open(path, 'lazy', 60_000);
  await wal.append([rec(0)]);
  t.is(statSync(path).size, 0, 'acknowledged, yet nothing reached the file: a kill -9 now loses it');
  await wal.close();
  t.true(statSync(path).size > 0, 'a clean shutdown flushes');
});

const e = (index: number, term: number, value: unknown = index): Entry => ({ index, term, cmd: { op: 'put', key: 'k', value } });

test('disk storage recovers hard state, entries, truncations and snapshots with compaction', async (t) => {
  const dir = tempDir(t);
  const { storage } = await DiskStorage.open(dir, 'always');
  const ops: PersistOp[][] = [
    [{ t: 'hs', hs: { term: 1, vote: 'n1' } }, { t: 'entries', entries: [e(1, 1), e(2, 1), e(3, 1)] }],
    [{ t: 'truncate', fromIndex: 3 }, { t: 'entries', entries: [e(3, 2, 'x')] }, { t: 'hs', hs: { term: 2, vote: null } }],
    [{ t: 'snapshot', snapshot: { index: 2, term: 1, data: [['k', 2]] }, hs: { term: 2, vote: null }, log: [e(3, 2, 'x')] }, { t: 'entries', entries: [e(4, 2)] }],
  ];
  for (const batch of ops) await storage.persist(batch);
  await storage.close();
  const { storage: again, state } = await DiskStorage.open(dir, 'always');
  await again.close();
  t.deepEqual(state.hs, { term: 2, vote: null });
  t.deepEqual(state.snapshot, { index: 2, term: 1, data: [['k', 2]] });
  t.deepEqual(state.entries, [e(3, 2, 'x'), e(4, 2)]);
  const walRecords = decodeRecords(readFileSync(join(dir, 'wal.bin')), 'wal').records;
  t.is(walRecords.length, 3, 'the log was rewritten at the snapshot: hard state, retained entries, then the new append');
});

test('a crash between saving a snapshot and rewriting the log recovers consistently', async (t) => {
  const dir = tempDir(t);
  const { storage } = await DiskStorage.open(dir, 'always');
  await storage.persist([{ t: 'hs', hs: { term: 1, vote: null } }, { t: 'entries', entries: [e(1, 1), e(2, 1), e(3, 1)] }]);
  await storage.close();
  // Only the snapshot file made it: the old log still holds entries 1..3.
  writeFileSync(join(dir, 'snapshot.bin'), encodeRecord({ index: 2, term: 1, data: [['k', 2]] }));
  const { storage: again, state } = await DiskStorage.open(dir, 'always');
  await again.close();
  t.is(state.snapshot?.index, 2);
  t.deepEqual(state.entries, [e(3, 1)]);
});

test('a truncated snapshot file is refused', async (t) => {
  const dir = tempDir(t);
  const frame = encodeRecord({ index: 2, term: 1, data: [] });
  writeFileSync(join(dir, 'snapshot.bin'), frame.subarray(0, frame.length - 3));
  await t.throwsAsync(() => DiskStorage.open(dir, 'always'), { instanceOf: WalCorruptError, message: /snapshot\.bin/ });
});
