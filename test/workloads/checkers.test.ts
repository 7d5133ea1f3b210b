// The set, counter and stats checkers on small hand-made histories, good and bad, and the JUnit
// rendering of their results.

import test from 'ava';
import { checkCounter } from '../../checkers/counter.js';
import { checkSet } from '../../checkers/set.js';
import { checkStats } from '../../checkers/stats.js';
import type { Op } from '../../src/core/op.js';
import { junitXml } from '../../reports/junit.js';

/** Builds a history from [process, f, invokeValue, type, completionValue] rows, one op pair each, in order. */
function h(rows: [number, string, unknown, Op['type'] | null, unknown][]): Op[] {
  const ops: Op[] = [];
  let t = 0;
  for (const [p, f, v, type, out] of rows) {
    ops.push({ index: ops.length, type: 'invoke', process: p, f, value: v, timeNs: (t += 10) });
    if (type) ops.push({ index: ops.length, type, process: p, f, value: out, timeNs: (t += 10) });
  }
  return ops;
}

test('set: every acknowledged add in the final read is valid; an info add that shows up is recovered', (t) => {
  const r = checkSet(h([[0, 'add', 1, 'ok', 1], [1, 'add', 2, 'info', 2], [0, 'add', 3, 'fail', 3], [0, 'read', null, 'ok', [1, 2]]]));
  t.is(r.valid, true);
  t.deepEqual(r.lost, []);
  t.deepEqual(r.recovered, [2]);
  t.is(r.attempted, 3);
});

test('set: an acknowledged add missing from the final read is lost; a value never added is unexpected', (t) => {
  const lost = checkSet(h([[0, 'add', 1, 'ok', 1], [0, 'add', 2, 'ok', 2], [1, 'read', null, 'ok', [1, 2]], [1, 'read', null, 'ok', [2]]]));
  t.is(lost.valid, false);
  t.deepEqual(lost.lost, [1]);
  t.is(lost.lostDetail[0]!.element, 1);
  const unexpected = checkSet(h([[0, 'add', 1, 'ok', 1], [1, 'read', null, 'ok', [1, 99]]]));
  t.is(unexpected.valid, false);
  t.deepEqual(unexpected.unexpected, [99]);
});

test('set: seen, then missing from a later read, then back is stale, not lost', (t) => {
  const r = checkSet(h([[0, 'add', 1, 'ok', 1], [1, 'read', null, 'ok', []], [1, 'read', null, 'ok', [1]]]));
  t.is(r.valid, true);
  t.deepEqual(r.stale, [1]);
});

test('set: no successful read means unknown, never valid', (t) => {
  t.is(checkSet(h([[0, 'add', 1, 'ok', 1], [1, 'read', null, 'info', null]])).valid, 'unknown');
});

test('counter: reads within [acked before the read, possible before its end] are valid', (t) => {
  const r = checkCounter(h([[0, 'add', 2, 'ok', 2], [1, 'add', 3, 'info', 3], [0, 'read', null, 'ok', 5], [0, 'read', null, 'ok', 2]]));
  t.is(r.valid, true);
  t.is(r.reads, 2);
});

test('counter: a read below the acknowledged sum, or above every possible sum, is invalid', (t) => {
  const low = checkCounter(h([[0, 'add', 2, 'ok', 2], [1, 'read', null, 'ok', 1]]));
  t.is(low.valid, false);
  t.deepEqual(low.errors.map((e) => [e.value, e.lower, e.upper]), [[1, 2, 2]]);
  const high = checkCounter(h([[0, 'add', 2, 'fail', 2], [1, 'read', null, 'ok', 2]]));
  t.is(high.valid, false, 'a failed add did not happen');
});

test('counter: concurrent add and read — both outcomes are allowed', (t) => {
  const ops: Op[] = [
    { index: 0, type: 'invoke', process: 0, f: 'add', value: 4, timeNs: 0 },
    { index: 1, type: 'invoke', process: 1, f: 'read', value: null, timeNs: 1 },
    { index: 2, type: 'ok', process: 1, f: 'read', value: 4, timeNs: 2 },
    { index: 3, type: 'ok', process: 0, f: 'add', value: 4, timeNs: 3 },
    { index: 4, type: 'invoke', process: 1, f: 'read', value: null, timeNs: 4 },
    { index: 5, type: 'ok', process: 1, f: 'read', value: 3, timeNs: 5 },
  ];
  const r = checkCounter(ops);
  t.is(r.valid, false, 'the second read began after the add was acknowledged, so 3 is too low');
  t.is(r.errors.length, 1);
  t.is(r.errors[0]!.readIndex, 5);
});

test('stats: a history with no ok client op is unknown', (t) => {
  t.is(checkStats(h([[0, 'read', null, 'fail', null], [1, 'write', 1, 'info', 1]])).valid, 'unknown');
  const s = checkStats(h([[0, 'read', null, 'ok', 1], [1, 'write', 1, 'info', 1]]));
  t.is(s.valid, true);
  t.deepEqual(s.byF, { read: { ok: 1, fail: 0, info: 0 }, write: { ok: 0, fail: 0, info: 1 } });
});

test('JUnit: one testcase per checker, failures carry the reason, XML-escaped', (t) => {
  const xml = junitXml('suite <1>', {
    stats: { valid: true },
    set: checkSet(h([[0, 'add', '<b>', 'ok', '<b>'], [1, 'read', null, 'ok', []]])),
    counter: { valid: 'unknown', error: 'no read succeeded' },
  });
  t.regex(xml, /<testsuite name="suite &lt;1&gt;" tests="3" failures="1" errors="1"/);
  t.regex(xml, /<testcase classname="suite &lt;1&gt;" name="set"><failure message="1 acknowledged elements lost: \[&quot;&lt;b&gt;&quot;\]">/);
  t.regex(xml, /<testcase [^>]*name="counter"><error message="unknown: no read succeeded">/);
  t.notRegex(xml, /<b>/);
});
