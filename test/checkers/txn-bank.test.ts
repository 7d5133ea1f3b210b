// The bank checker on hand-made histories: each violation caught, valid histories pass.

import test from 'ava';
import { checkBank } from '../../checkers/bank.js';
import type { Op } from '../../src/core/op.js';

type Step = [process: number, type: Op['type'], f: string, value: unknown];
const H = (...steps: Step[]): Op[] => steps.map(([process, type, f, value], index) => ({ index, type, process, f, value, timeNs: index }));
const initial = { a: 10, b: 10 };
const xfer = (from: string, to: string, amount: number) => ({ from, to, amount });

test('a transfer seen after it completed, and a concurrent one seen or not: valid', (t) => {
  const h = H(
    [0, 'invoke', 'transfer', xfer('a', 'b', 3)],
    [0, 'ok', 'transfer', xfer('a', 'b', 3)],
    [1, 'invoke', 'read', null],
    [0, 'invoke', 'transfer', xfer('b', 'a', 5)],
    [1, 'ok', 'read', { a: 7, b: 13 }], // the concurrent transfer not yet seen
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', { a: 12, b: 8 }], // now seen, before it completed
    [0, 'ok', 'transfer', xfer('b', 'a', 5)],
  );
  const r = checkBank(h, { initial });
  t.is(r.valid, true, JSON.stringify(r.errors));
  t.is(r.reads, 2);
});

test('a wrong total is caught', (t) => {
  const r = checkBank(H([1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 10, b: 9 }]), { initial });
  t.is(r.valid, false);
  t.deepEqual(Object.keys(r.counts).sort(), ['impossible-state', 'wrong-total']);
  t.regex(r.errors[0]!.text, /totals 19, not 20/);
});

test('a negative balance is caught unless allowed', (t) => {
  const h = H([0, 'invoke', 'transfer', xfer('a', 'b', 15)], [0, 'ok', 'transfer', xfer('a', 'b', 15)], [1, 'invoke', 'read', null], [1, 'ok', 'read', { a: -5, b: 25 }]);
  const r = checkBank(h, { initial });
  t.is(r.valid, false);
  t.deepEqual(r.counts, { 'negative-balance': 1 });
  t.is(checkBank(h, { initial, negativeBalances: true }).valid, true);
});

test('a read missing a completed transfer is an impossible state (total intact)', (t) => {
  const h = H([0, 'invoke', 'transfer', xfer('a', 'b', 3)], [0, 'ok', 'transfer', xfer('a', 'b', 3)], [1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 10, b: 10 }]);
  const r = checkBank(h, { initial });
  t.is(r.valid, false);
  t.deepEqual(r.counts, { 'impossible-state': 1 });
});

test('a failed transfer must never be seen; an indeterminate one may be', (t) => {
  const failed = H([0, 'invoke', 'transfer', xfer('a', 'b', 3)], [0, 'fail', 'transfer', xfer('a', 'b', 3)], [1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 7, b: 13 }]);
  t.deepEqual(checkBank(failed, { initial }).counts, { 'impossible-state': 1 });
  const info = H([0, 'invoke', 'transfer', xfer('a', 'b', 3)], [0, 'info', 'transfer', xfer('a', 'b', 3)], [1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 7, b: 13 }], [2, 'invoke', 'read', null], [2, 'ok', 'read', { a: 10, b: 10 }]);
  // each read alone is possible (the check is per read; seen-then-unseen is for the list-append checker)
  t.is(checkBank(info, { initial }).valid, true);
});

test('a state no subset of transfers reaches is caught', (t) => {
  const h = H(
    [0, 'invoke', 'transfer', xfer('a', 'b', 3)],
    [2, 'invoke', 'transfer', xfer('a', 'b', 4)],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', { a: 5, b: 15 }], // 3 + 4 = 7, 3, 4 or 0 — never 5
    [0, 'ok', 'transfer', xfer('a', 'b', 3)],
    [2, 'info', 'transfer', xfer('a', 'b', 4)],
  );
  t.deepEqual(checkBank(h, { initial }).counts, { 'impossible-state': 1 });
  h[3]!.value = { a: 3, b: 17 };
  t.is(checkBank(h, { initial }).valid, true);
});

test('wrong accounts are caught; EDN maps with integer keys are read', (t) => {
  t.deepEqual(checkBank(H([1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 20 }]), { initial }).counts, { 'wrong-accounts': 1 });
  const edn = H([1, 'invoke', ':read', null], [1, 'ok', ':read', { '~map': [[0, 10], [1, 10]] }]);
  t.is(checkBank(edn, { initial: { 0: 10, 1: 10 } }).valid, true);
});

test('no reads, or a search past its bound, is unknown — never valid', (t) => {
  t.is(checkBank(H([0, 'invoke', 'transfer', xfer('a', 'b', 1)], [0, 'ok', 'transfer', xfer('a', 'b', 1)]), { initial }).valid, 'unknown');
  const steps: Step[] = [];
  for (let i = 0; i < 20; i++) steps.push([10 + i, 'invoke', 'transfer', xfer(i % 2 ? 'a' : 'b', i % 2 ? 'b' : 'a', 2 ** i)], [10 + i, 'info', 'transfer', xfer('a', 'b', 2 ** i)]);
  steps.push([1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 10, b: 10 }]);
  const r = checkBank(H(...steps), { initial: { a: 1e7, b: 1e7 }, maxStatesPerRead: 100 });
  t.is(r.valid, false); // wrong total first
  steps[steps.length - 1]![3] = { a: 1e7, b: 1e7 };
  const u = checkBank(H(...steps), { initial: { a: 1e7, b: 1e7 }, maxStatesPerRead: 100 });
  t.is(u.valid, 'unknown');
  t.regex(u.unknownReasons.join(), /search budget/);
});

test('a malformed transfer is a one-line input error naming the op', (t) => {
  t.throws(() => checkBank(H([0, 'invoke', 'transfer', { from: 'a' }]), { initial }), { name: 'UserError', message: /op 0: a transfer's value must be \{from, to, amount\}/ });
});
