// The lease-aware mutex check of the lock checker (checkers/models/lease-mutex.ts via
// checkers/lock.ts): against a brute-force oracle on small histories simulated from the store's
// own lock service (valid ones and ones with a planted double grant), and by hand.

import test from 'ava';
import { checkLock, clockSpreadMs } from '../../checkers/lock.js';
import type { Op } from '../../src/core/op.js';
import { bruteLeaseMutex, simulateLock } from './lock-oracle.js';

const CASES = 3000;

test(`lease-aware mutex agrees with the brute-force oracle on ${CASES} simulated histories (valid and planted double grants)`, (t) => {
  let disagreements = 0;
  const tally = { valid: 0, invalid: 0, plantedInvalid: 0, cleanChecked: 0, doubleGrantReports: 0 };
  const first: string[] = [];
  for (let seed = 1; seed <= CASES; seed++) {
    const plant = seed % 2 === 0;
    const c = simulateLock(seed, plant);
    const oracle = bruteLeaseMutex(c.history, c.toleranceMs);
    const r = checkLock(c.history, { clockSkewMs: c.toleranceMs });
    const model = r.mutex!.valid;
    if (oracle) tally.valid++;
    else tally.invalid++;
    if (!c.planted) {
      // The correct service: never called invalid (soundness against the store's own semantics).
      tally.cleanChecked++;
      if (!oracle || model !== true) {
        disagreements++;
        if (first.length < 3) first.push(`seed ${seed} (clean): oracle ${oracle}, model ${String(model)}\n${JSON.stringify(c.history)}`);
      }
    } else if (!oracle) tally.plantedInvalid++;
    if (model !== oracle) {
      disagreements++;
      if (first.length < 3) first.push(`seed ${seed}: oracle ${oracle}, model ${String(model)}\n${JSON.stringify(c.history)}`);
    }
    // The sweep's double-grant reports are certain: the oracle must agree the history is invalid.
    if (r.counts['double-grant']) {
      tally.doubleGrantReports++;
      if (oracle) {
        disagreements++;
        if (first.length < 3) first.push(`seed ${seed}: double-grant reported on a valid history\n${JSON.stringify(c.history)}`);
      }
    }
  }
  t.log(tally);
  t.is(disagreements, 0, first.join('\n\n'));
  // Not vacuous: both verdicts occur often, and most invalid ones are named as a double grant.
  t.true(tally.valid >= 1000 && tally.invalid >= 250, JSON.stringify(tally));
  t.true(tally.cleanChecked >= 1000);
  t.true(tally.doubleGrantReports >= tally.invalid / 2, JSON.stringify(tally));
});

// --- by hand (times in ms) ---
type Step = [process: number, type: Op['type'], f: string, value: unknown, ms: number];
const H = (...steps: Step[]): Op[] => steps.map(([process, type, f, value, ms], index) => ({ index, type, process, f, value, timeNs: ms * 1e6 }));
const lease = { leaseMs: 500 };

test('a second grant within the holder\'s lease is a double grant, named in words; after it, valid', (t) => {
  const at = (bMs: number) =>
    H([0, 'invoke', 'acquire', lease, 1000], [0, 'ok', 'acquire', { token: 1 }, 1010], [1, 'invoke', 'acquire', lease, bMs - 10], [1, 'ok', 'acquire', { token: 2 }, bMs]);
  const bad = checkLock(at(1300));
  t.is(bad.valid, false);
  t.deepEqual(bad.counts, { 'double-grant': 1 });
  t.is(
    bad.errors[0]!.text,
    'process 1 was granted the lock with token 2 (its acquire, op 2, completed at t=1300 ms) while process 0 still held it with token 1 ' +
      '(its acquire, op 0, was invoked at t=1000 ms for a lease of 500 ms): only 300 ms apart, so process 0\'s lease could not have run out ' +
      '(500 ms less the 25 ms clock tolerance), and no release of token 1 could have come between — two holders at once',
  );
  // 475 ms after the holder's invoke (500 − 25 tolerance): the lease may have run out.
  t.is(checkLock(at(1475)).valid, true);
  t.is(checkLock(at(1474)).valid, false);
  // A tolerance given explicitly.
  t.is(checkLock(at(1474), { clockSkewMs: 30 }).valid, true);
  t.is(checkLock(at(1300), { mutex: false }).valid, true);
});

test('a release by the holder frees the lock; a release that could come first does too; a stale release does not', (t) => {
  const base: Step[] = [[0, 'invoke', 'acquire', lease, 0], [0, 'ok', 'acquire', { token: 1 }, 5]];
  const released = H(...base, [0, 'invoke', 'release', null, 10], [0, 'ok', 'release', 1, 12], [1, 'invoke', 'acquire', lease, 20], [1, 'ok', 'acquire', { token: 2 }, 25]);
  t.is(checkLock(released).valid, true);
  // Release concurrent with the second acquire: it may have come first.
  const racing = H(...base, [0, 'invoke', 'release', null, 20], [1, 'invoke', 'acquire', lease, 21], [1, 'ok', 'acquire', { token: 2 }, 25], [0, 'ok', 'release', 1, 30]);
  t.is(checkLock(racing).valid, true);
  // The release comes after the second grant completed: too late.
  const late = H(...base, [1, 'invoke', 'acquire', lease, 20], [1, 'ok', 'acquire', { token: 2 }, 25], [0, 'invoke', 'release', null, 30], [0, 'ok', 'release', 1, 31]);
  t.is(checkLock(late).valid, false);
  // A crashed release (its token unsaid) invoked after the grant it frees completed may have freed it …
  const crashed = H(...base, [0, 'invoke', 'release', null, 10], [0, 'info', 'release', null, 40], [1, 'invoke', 'acquire', lease, 20], [1, 'ok', 'acquire', { token: 2 }, 25]);
  t.is(checkLock(crashed).valid, true);
  // … but a failed one did nothing.
  const failed = H(...base, [0, 'invoke', 'release', null, 10], [0, 'fail', 'release', null, 11], [1, 'invoke', 'acquire', lease, 20], [1, 'ok', 'acquire', { token: 2 }, 25]);
  t.is(checkLock(failed).valid, false);
  // An ok release of a token that is not the holder's is impossible (the service answers not-holder).
  const wrong = H(...base, [0, 'invoke', 'release', null, 10], [0, 'ok', 'release', 7, 12]);
  t.is(checkLock(wrong).mutex?.valid, false);
});

test('a release of an expired lease nobody took over still frees it (the service checks the token only)', (t) => {
  const h = H(
    [0, 'invoke', 'acquire', lease, 0], [0, 'ok', 'acquire', { token: 1 }, 5],
    [0, 'invoke', 'release', null, 2000], [0, 'ok', 'release', 1, 2005],
    [1, 'invoke', 'acquire', lease, 2010], [1, 'ok', 'acquire', { token: 2 }, 2015],
  );
  t.is(checkLock(h).valid, true);
});

test('a crashed acquire may hold the lock, but only a later grant after its lease is checked against it', (t) => {
  // Process 2's acquire crashed; process 1's grant 500+ ms after process 0's is fine either way.
  const h = H(
    [0, 'invoke', 'acquire', lease, 0], [0, 'ok', 'acquire', { token: 1 }, 5],
    [2, 'invoke', 'acquire', lease, 100], [2, 'info', 'acquire', lease, 200],
    [1, 'invoke', 'acquire', lease, 600], [1, 'ok', 'acquire', { token: 3 }, 610],
  );
  t.is(checkLock(h).valid, true);
});

test('an impossible release is a mutex violation explained by the search', (t) => {
  const h = H([0, 'invoke', 'acquire', lease, 0], [0, 'ok', 'acquire', { token: 1 }, 5], [0, 'invoke', 'release', null, 10], [0, 'ok', 'release', 7, 12]);
  const r = checkLock(h);
  t.is(r.valid, false);
  t.deepEqual(r.counts, { mutex: 1 });
  t.regex(r.errors[0]!.text, /^acquire\/release are not linearizable as a lease-aware mutex \(clock tolerance 25 ms\); every linearization died at op 2 \(process 0: release of token 7, invoked t=10.00 ms\)/);
});

test('consecutive tokens granted concurrently still need the first lease to run out', (t) => {
  // Token 1's acquire is concurrent with token 2's, but the tokens order the grants: 1 then 2, 4 ms apart.
  const h = H([0, 'invoke', 'acquire', lease, 0], [1, 'invoke', 'acquire', lease, 1], [0, 'ok', 'acquire', { token: 2 }, 5], [1, 'ok', 'acquire', { token: 1 }, 10]);
  const r = checkLock(h);
  t.is(r.valid, false);
  t.deepEqual(r.counts, { 'double-grant': 1 });
  t.regex(r.errors[0]!.text, /^process 0 was granted the lock with token 2 .* while process 1 still held it with token 1/);
});

test('clock faults widen the tolerance by the spread of the recorded offsets; unrecorded offsets disable leases', (t) => {
  const nem = (type: Op['type'], f: string, value: unknown, ms: number): Op => ({ index: 0, type, process: 'nemesis', f, value, timeNs: ms * 1e6 });
  const bump = [nem('invoke', 'bump-clock', { offsetsMs: { n1: -200 } }, 0), nem('info', 'bump-clock', { bumpedMs: { n1: -200 }, offsetsMs: { n1: -200 } }, 1)];
  const strobe = [nem('invoke', 'strobe-clock', {}, 2), nem('info', 'strobe-clock', { nodes: ['n2'], offsetsMs: [0, 150], periodMs: 10, flips: 3 }, 3)];
  t.is(clockSpreadMs([]), 0);
  t.is(clockSpreadMs(bump), 200);
  t.is(clockSpreadMs([...bump, ...strobe]), 350);
  t.is(clockSpreadMs([nem('invoke', 'bump-clock', { target: 'leader', deltaMs: -100 }, 0), nem('info', 'bump-clock', null, 1)]), null);
  t.is(clockSpreadMs([nem('invoke', 'bump-clock', { target: 'leader', deltaMs: -100 }, 0)]), null);
  const grants = H([0, 'invoke', 'acquire', lease, 1000], [0, 'ok', 'acquire', { token: 1 }, 1010], [1, 'invoke', 'acquire', lease, 1200], [1, 'ok', 'acquire', { token: 2 }, 1280]);
  t.is(checkLock(grants).valid, false);
  const withBump = [...bump, ...grants.map((o) => ({ ...o }))].map((o, index) => ({ ...o, index }));
  const r = checkLock(withBump);
  t.is(r.valid, true, 'a 200 ms clock skew lets the lease run out 225 ms early');
  t.is(r.mutex?.toleranceMs, 225);
  const unknown = [nem('invoke', 'bump-clock', { target: 'leader', deltaMs: -100 }, 0), ...grants].map((o, index) => ({ ...o, index }));
  const u = checkLock(unknown);
  t.is(u.valid, true);
  t.is(u.mutex?.toleranceMs, Infinity);
  t.is(u.mutex?.clockSpreadMs, null);
});

test('the lease comes from each acquire, else the leaseMs option, else leases are not relied on', (t) => {
  const h = H([0, 'invoke', 'acquire', null, 0], [0, 'ok', 'acquire', 1, 5], [1, 'invoke', 'acquire', null, 10], [1, 'ok', 'acquire', 2, 20]);
  const none = checkLock(h);
  t.is(none.valid, true);
  t.deepEqual(none.mutex?.leases, { fromOps: 0, fromOption: 0, unknown: 2 });
  const opt = checkLock(h, { leaseMs: 100 });
  t.is(opt.valid, false);
  t.deepEqual(opt.mutex?.leases, { fromOps: 0, fromOption: 2, unknown: 0 });
});

test('a crashed acquire whose lease is shorter than the tolerance may let a later grant through', (t) => {
  // Tolerance 100 ms: A's 500 ms lease may run out from t=400; crashed C (a 10 ms lease) may take
  // over then, and its own lease runs out "before" B (the clocks may disagree by 100 ms).
  const h = H(
    [0, 'invoke', 'acquire', { leaseMs: 500 }, 0], [0, 'ok', 'acquire', { token: 1 }, 5],
    [2, 'invoke', 'acquire', { leaseMs: 10 }, 6], [2, 'info', 'acquire', { leaseMs: 10 }, 7],
    [1, 'invoke', 'acquire', { leaseMs: 500 }, 390], [1, 'ok', 'acquire', { token: 3 }, 399],
  );
  t.is(bruteLeaseMutex(h, 100), true);
  t.is(checkLock(h, { clockSkewMs: 100 }).valid, true);
  const withoutC = h.filter((o) => o.process !== 2).map((o, index) => ({ ...o, index }));
  t.is(bruteLeaseMutex(withoutC, 100), false);
  t.is(checkLock(withoutC, { clockSkewMs: 100 }).valid, false);
});
