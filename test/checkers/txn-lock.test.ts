// The lock checker on hand-made histories: each violation caught, valid histories pass.

import test from 'ava';
import { checkLock } from '../../checkers/lock.js';
import type { Op } from '../../src/core/op.js';

type Step = [process: number, type: Op['type'], f: string, value: unknown];
const H = (...steps: Step[]): Op[] => steps.map(([process, type, f, value], index) => ({ index, type, process, f, value, timeNs: index }));

const holder = (p: number, token: number): Step[] => [
  [p, 'invoke', 'acquire', null],
  [p, 'ok', 'acquire', token],
  [p, 'invoke', 'write', { token }],
  [p, 'ok', 'write', { token }],
  [p, 'invoke', 'release', token],
  [p, 'ok', 'release', token],
];

test('holders one after another with growing tokens: valid (and a linearizable mutex)', (t) => {
  const r = checkLock(H(...holder(0, 1), ...holder(1, 2), ...holder(0, 3)), { mutex: true });
  t.is(r.valid, true);
  t.deepEqual(r.acquires, { ok: 3, fail: 0, info: 0 });
  t.is(r.mutex?.valid, true);
});

test('a stale holder whose write the resource accepts after a newer token: two holders at once', (t) => {
  const h = H(
    [0, 'invoke', 'acquire', null], [0, 'ok', 'acquire', { token: 1 }],
    // process 0's lease expires (paused); process 1 acquires and writes
    [1, 'invoke', 'acquire', null], [1, 'ok', 'acquire', { token: 2 }],
    [1, 'invoke', 'write', { token: 2 }], [1, 'ok', 'write', { token: 2 }],
    [0, 'invoke', 'write', { token: 1 }], [0, 'ok', 'write', { token: 1 }], // accepted: the violation
  );
  const r = checkLock(h);
  t.is(r.valid, false);
  t.deepEqual(r.counts, { 'stale-write': 1 });
  t.regex(r.errors[0]!.text, /accepted process 0's write with token 1 .* after it had accepted process 1's write with the newer token 2/);
  // The same write rejected by the resource is the fencing working: valid.
  h[7] = { ...h[7]!, type: 'fail' };
  t.is(checkLock(h).valid, true);
});

test('concurrent writes may land in either order', (t) => {
  const h = H(
    [0, 'invoke', 'acquire', null], [0, 'ok', 'acquire', 1],
    [1, 'invoke', 'acquire', null], [1, 'ok', 'acquire', 2],
    [1, 'invoke', 'write', 2], [0, 'invoke', 'write', 1], [1, 'ok', 'write', 2], [0, 'ok', 'write', 1],
  );
  t.is(checkLock(h).valid, true);
});

test('duplicate and out-of-order fencing tokens are caught', (t) => {
  const dup = checkLock(H(...holder(0, 4), ...holder(1, 4)));
  t.is(dup.valid, false);
  t.is(dup.counts['token-duplicate'], 1);
  t.is(dup.counts['token-order'], 1);
  const back = checkLock(H(...holder(0, 5), ...holder(1, 3)));
  t.is(back.valid, false);
  t.deepEqual(Object.keys(back.counts).sort(), ['stale-write', 'token-order']);
});

test('the lease-aware mutex catches two acquires without a release within a lease', (t) => {
  const h = H([0, 'invoke', 'acquire', null], [0, 'ok', 'acquire', 1], [1, 'invoke', 'acquire', null], [1, 'ok', 'acquire', 2]);
  // No lease known: it may have run out at once, and the fencing checks alone accept it.
  t.is(checkLock(h).valid, true);
  t.is(checkLock(h).mutex?.valid, true);
  // A 500 ms lease (the times here are nanoseconds apart): two holders at once.
  const r = checkLock(h, { leaseMs: 500 });
  t.is(r.valid, false);
  t.is(r.mutex?.valid, false);
  t.deepEqual(r.counts, { 'double-grant': 1 });
  t.is(checkLock(h, { leaseMs: 500, mutex: false }).valid, true);
});

test('nothing acquired or written is unknown; a write without a token is an input error', (t) => {
  t.is(checkLock(H([0, 'invoke', 'acquire', null], [0, 'fail', 'acquire', null])).valid, 'unknown');
  t.throws(() => checkLock(H([0, 'invoke', 'write', { v: 1 }], [0, 'ok', 'write', { v: 1 }])), { name: 'UserError', message: /op 0: a write to the resource needs a numeric fencing token/ });
});
