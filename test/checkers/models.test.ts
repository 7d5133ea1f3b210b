// The sequential semantics of each model, one step at a time, including crashed (unknown) outputs.

import test from 'ava';
import { UNKNOWN_OUTPUT } from '../../checkers/model.js';
import fc from 'fast-check';
import { buildModel, casRegisterModel, fifoQueueModel, kvModel, mutexModel, registerModel, setModel, unorderedQueueModel } from '../../checkers/models/index.js';
import { bruteLinearizable } from './oracle-brute.js';
import { smallHistoryArb } from './support.js';
import type { Op } from '../../src/core/op.js';
import { checkLinearizableSync } from '../../checkers/linearizable.js';

const op = (f: string, value: unknown, type: Op['type'] = 'invoke'): Op => ({ index: 0, type, process: 0, f, value, timeNs: 0 });

test('cas-register: read, write, cas (ok, returned false, crashed); initial value configurable', (t) => {
  const m = casRegisterModel(1);
  t.is(m.init(), 1);
  const cas = m.decode(op('cas', [1, 2]), op('cas', [1, 2], 'ok'));
  t.deepEqual(m.step(1, cas.input, cas.output), [2]);
  t.deepEqual(m.step(3, cas.input, cas.output), []);
  const casFalse = m.decode(op('cas', [1, 2]), op('cas', [1, 2], 'fail'));
  t.deepEqual(m.step(1, casFalse.input, casFalse.output), []);
  t.deepEqual(m.step(3, casFalse.input, casFalse.output), [3]);
  const crashed = m.decode(op('cas', [1, 2]), undefined);
  t.is(crashed.output, UNKNOWN_OUTPUT);
  t.deepEqual(m.step(1, crashed.input, crashed.output), [2]);
  t.deepEqual(m.step(5, crashed.input, crashed.output), [5]);
  const read = m.decode(op(':read', null), op(':read', 1, 'ok'));
  t.deepEqual(m.step(1, read.input, read.output), [1]);
  t.deepEqual(m.step(null, read.input, read.output), []);
  t.is(m.describeCall(read.input, read.output), 'read of 1');
  t.is(casRegisterModel().init(), null);
});

test('register rejects cas; kv splits [key, value] and keeps one register per key', (t) => {
  t.throws(() => registerModel().decode(op('cas', [1, 2]), undefined), { message: /f must be one of read, write for model register/ });
  const m = kvModel();
  t.is(m.keyOf!(op('write', ['k', 3])), 'k');
  const w = m.decode(op('write', ['k', 3]), op('write', ['k', 3], 'ok'));
  t.deepEqual(m.step(null, w.input, w.output), [3]);
  const a = m.decode(op('append', ['k', 'x']), op('append', ['k', 'x'], 'ok'));
  // Appended values are shared AppendText nodes (see append-text.ts); their string is the concatenation.
  t.deepEqual(kvModel('').step('ab', a.input, a.output).map(String), ['abx']);
});

test('set: add and read (any order of elements)', (t) => {
  const m = setModel();
  const add = m.decode(op('add', 2), op('add', 2, 'ok'));
  const [s1] = m.step(m.init(), add.input, add.output);
  const read = m.decode(op('read', null), op('read', [2], 'ok'));
  t.deepEqual(m.step(s1!, read.input, read.output), [s1]);
  t.deepEqual(m.step(m.init(), read.input, read.output), []);
});

test('fifo-queue dequeues the oldest; unordered-queue any, a crashed dequeue any one', (t) => {
  const f = fifoQueueModel();
  const enq = (m: typeof f, s: readonly string[], x: number) => m.step(s, m.decode(op('enqueue', x), op('enqueue', x, 'ok')).input, null)[0]!;
  const s = enq(f, enq(f, f.init(), 1), 2);
  const deq2 = f.decode(op('dequeue', null), op('dequeue', 2, 'ok'));
  t.deepEqual(f.step(s, deq2.input, deq2.output), []);
  const u = unorderedQueueModel();
  const us = enq(u, enq(u, u.init(), 1), 2);
  t.is(u.step(us, deq2.input, deq2.output).length, 1);
  const crashed = u.decode(op('dequeue', null), undefined);
  t.is(u.step(us, crashed.input, crashed.output).length, 2);
});

test('mutex: acquire only when free, release only when held', (t) => {
  const m = mutexModel();
  const acq = m.decode(op('acquire', null), op('acquire', null, 'ok'));
  const rel = m.decode(op('release', null), op('release', null, 'ok'));
  t.deepEqual(m.step(false, acq.input, acq.output), [true]);
  t.deepEqual(m.step(true, acq.input, acq.output), []);
  t.deepEqual(m.step(false, rel.input, rel.output), []);
});

test('nemesis ops are not client calls, however the process is spelled', (t) => {
  const ops: Op[] = [
    { index: 0, type: 'invoke', process: 'nemesis', f: 'start', value: null, timeNs: 0 },
    { index: 1, type: 'info', process: ':nemesis' as Op['process'], f: 'start', value: null, timeNs: 1 },
    { index: 2, type: 'invoke', process: 0, f: 'write', value: 1, timeNs: 2 },
    { index: 3, type: 'ok', process: 0, f: 'write', value: 1, timeNs: 3 },
  ];
  const r = checkLinearizableSync(ops, registerModel());
  t.is(r.valid, true);
  t.is(r.ops, 1);
});

test('nilReads any (Knossos): a completed read of nil is satisfied by any value; agrees with the brute oracle', (t) => {
  const knossos = buildModel({ name: 'cas-register', initial: 0, nilReads: 'any' });
  const plain = buildModel({ name: 'cas-register', initial: 0 });
  let differ = 0;
  fc.assert(
    fc.property(smallHistoryArb('cas-register', 8), (h) => {
      const expected = bruteLinearizable(h, 'cas-register', { initial: 0, nilReadsAnything: true });
      if (expected !== bruteLinearizable(h, 'cas-register', { initial: 0 })) differ++;
      return checkLinearizableSync(h, knossos).valid === expected && checkLinearizableSync(h, plain).valid === bruteLinearizable(h, 'cas-register', { initial: 0 });
    }),
    { numRuns: 800, seed: 5 },
  );
  t.true(differ > 20, `the two readings differed on only ${differ} histories`);
});
