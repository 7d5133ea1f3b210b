// The KV state machine: each operation's semantics, failures that change nothing, and
// snapshot/restore producing an identical, deterministic state.

import test from 'ava';
import { commandError, jsonEqual, KvStore } from '../../src/store/kv.js';

test('get, put, cas, append and delete behave as documented', (t) => {
  const kv = new KvStore();
  t.deepEqual(kv.apply({ op: 'get', key: 'a' }), { ok: true, value: null });
  t.deepEqual(kv.apply({ op: 'put', key: 'a', value: { x: [1, 2] } }), { ok: true, value: null });
  t.deepEqual(kv.apply({ op: 'cas', key: 'a', from: { x: [1] }, to: 3 }), { ok: false, error: 'cas-mismatch' });
  t.deepEqual(kv.get('a'), { x: [1, 2] }, 'a failed cas changes nothing');
  t.deepEqual(kv.apply({ op: 'cas', key: 'a', from: { x: [1, 2] }, to: 3 }), { ok: true, value: null });
  t.deepEqual(kv.apply({ op: 'cas', key: 'missing', from: null, to: 1 }), { ok: true, value: null }, 'cas from null matches an absent key');
  t.deepEqual(kv.apply({ op: 'append', key: 'l', value: 'a' }), { ok: true, value: ['a'] });
  t.deepEqual(kv.apply({ op: 'append', key: 'l', value: 'b' }), { ok: true, value: ['a', 'b'] });
  t.deepEqual(kv.apply({ op: 'append', key: 'a', value: 'x' }), { ok: false, error: 'not-a-list' });
  t.deepEqual(kv.apply({ op: 'delete', key: 'a' }), { ok: true, value: null });
  t.is(kv.get('a'), null);
});

test('preview reports what apply would do without changing anything', (t) => {
  const kv = new KvStore();
  kv.apply({ op: 'append', key: 'l', value: 1 });
  t.deepEqual(kv.preview({ op: 'append', key: 'l', value: 2 }), { ok: true, value: [1, 2] });
  t.deepEqual(kv.get('l'), [1]);
});

test('a value returned by append is not aliased by later appends', (t) => {
  const kv = new KvStore();
  const first = kv.apply({ op: 'append', key: 'l', value: 1 });
  kv.apply({ op: 'append', key: 'l', value: 2 });
  t.deepEqual(first, { ok: true, value: [1] });
});

test('snapshot and restore reproduce the same state', (t) => {
  const a = new KvStore();
  for (let i = 0; i < 50; i++) a.apply({ op: i % 3 === 0 ? 'append' : 'put', key: `k${i % 7}`, value: i } as never);
  const b = new KvStore();
  b.restore(JSON.parse(JSON.stringify(a.snapshot())));
  t.deepEqual(b.snapshot(), a.snapshot());
});

test('cas compares JSON structurally, ignoring key order', (t) => {
  t.true(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }));
  t.false(jsonEqual({ a: 1 }, { a: 1, b: undefined }));
  t.false(jsonEqual([1, 2], { 0: 1, 1: 2 }));
});

test('malformed commands are described', (t) => {
  t.regex(commandError({ op: 'put', key: 'a' })!, /needs a value/);
  t.regex(commandError({ op: 'cas', key: 'a', from: 1 })!, /from and to/);
  t.regex(commandError({ op: 'zap', key: 'a' })!, /unknown op "zap"/);
  t.regex(commandError({ op: 'get', key: '' })!, /key/);
  t.is(commandError({ op: 'get', key: 'a' }), null);
});
