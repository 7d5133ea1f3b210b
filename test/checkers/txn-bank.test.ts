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
  // Many distinct partial effects that the pruning cannot rule out (small amounts both ways, a need of zero).
  for (let i = 0; i < 20; i++) steps.push([10 + i, 'invoke', 'transfer', xfer(i % 2 ? 'a' : 'b', i % 2 ? 'b' : 'a', i + 1)], [10 + i, 'info', 'transfer', xfer('a', 'b', i + 1)]);
  steps.push([1, 'invoke', 'read', null], [1, 'ok', 'read', { a: 10, b: 10 }]);
  const r = checkBank(H(...steps), { initial: { a: 1e7, b: 1e7 }, maxStatesPerRead: 100 });
  t.is(r.valid, false); // wrong total first
  steps[steps.length - 1]![3] = { a: 1e7, b: 1e7 };
  const u = checkBank(H(...steps), { initial: { a: 1e7, b: 1e7 }, maxStatesPerRead: 20 });
  t.is(u.valid, 'unknown');
  t.regex(u.unknownReasons.join(), /search budget/);
});

test('a malformed transfer is a one-line input error naming the op', (t) => {
  t.throws(() => checkBank(H([0, 'invoke', 'transfer', { from: 'a' }]), { initial }), { name: 'UserError', message: /op 0: a transfer's value must be \{from, to, amount\}/ });
});

test('the possible-state search agrees with brute force over every subset (2,000 random cases)', (t) => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  const accts = ['a', 'b', 'c', 'd'];
  let reachable = 0;
  for (let k = 0; k < 2000; k++) {
    const n = 1 + rnd(11);
    const ts = Array.from({ length: n }, () => {
      const from = accts[rnd(4)]!;
      let to = accts[rnd(4)]!;
      while (to === from) to = accts[rnd(4)]!;
      return xfer(from, to, 1 + rnd(5));
    });
    // The read: a random subset's effect (reachable), or that plus a random nudge (often not).
    const pick = ts.map(() => rnd(2) === 1);
    const bal: Record<string, number> = { a: 20, b: 20, c: 20, d: 20 };
    ts.forEach((x, i) => { if (pick[i]) { bal[x.from]! -= x.amount; bal[x.to]! += x.amount; } });
    if (rnd(2) === 0) { const d = 1 + rnd(3); bal[accts[rnd(4)]!]! += d; bal[accts[rnd(4)]!]! -= d; }
    let brute = false;
    for (let m = 0; m < 1 << n && !brute; m++) {
      const v: Record<string, number> = { a: 20, b: 20, c: 20, d: 20 };
      ts.forEach((x, i) => { if (m & (1 << i)) { v[x.from]! -= x.amount; v[x.to]! += x.amount; } });
      brute = accts.every((a) => v[a] === bal[a]);
    }
    if (brute) reachable++;
    // Every transfer indeterminate (info), all invoked before the read.
    const steps: Step[] = [];
    ts.forEach((x, i) => steps.push([10 + i, 'invoke', 'transfer', x], [10 + i, 'info', 'transfer', x]));
    steps.push([1, 'invoke', 'read', null], [1, 'ok', 'read', bal]);
    const r = checkBank(H(...steps), { initial: { a: 20, b: 20, c: 20, d: 20 }, negativeBalances: true });
    if (r.valid !== brute) return t.fail(`case ${k}: checker ${String(r.valid)}, brute force ${brute}: ${JSON.stringify({ ts, bal })}`);
  }
  t.true(reachable > 700 && reachable < 1900, `both outcomes exercised (${reachable} reachable)`);
});
