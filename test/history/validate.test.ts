import test from 'ava';
import type { Op } from '../../src/core/op.js';
import { pairOps } from '../../src/core/op.js';
import { validateHistory } from '../../src/history/validate.js';

const op = (index: number, type: Op['type'], process: Op['process'], f = 'read', value: unknown = null): Op => ({ index, type, process, f, value, timeNs: index * 10 });

const cases: { name: string; history: Op[]; problemAt?: number; reason?: RegExp }[] = [
  { name: 'a well-formed history', history: [op(0, 'invoke', 0), op(1, 'invoke', 1, 'write', 3), op(2, 'ok', 0), op(3, 'info', 1, 'write', 3), op(4, 'invoke', 'nemesis', 'start'), op(5, 'info', 'nemesis', 'start'), op(6, 'invoke', 'nemesis', 'stop'), op(7, 'info', 'nemesis', 'stop')] },
  { name: 'completion without invoke', history: [op(0, 'ok', 0)], problemAt: 0, reason: /no invoke in flight/ },
  { name: 'two invokes in flight on one process', history: [op(0, 'invoke', 0), op(1, 'invoke', 0)], problemAt: 1, reason: /still in flight/ },
  { name: 'completion whose f differs', history: [op(0, 'invoke', 0, 'read'), op(1, 'ok', 0, 'write')], problemAt: 1, reason: /differs from its invoke/ },
  { name: 'unknown type', history: [{ ...op(0, 'invoke', 0), type: 'done' as Op['type'] }], problemAt: 0, reason: /unknown type "done"/ },
  { name: 'a process invoking after info retired it', history: [op(0, 'invoke', 0), op(1, 'info', 0), op(2, 'invoke', 0)], problemAt: 2, reason: /retired/ },
  { name: 'indexes that go backwards', history: [op(5, 'invoke', 0), op(3, 'ok', 0)], problemAt: 1, reason: /does not increase/ },
];

for (const c of cases) {
  test(`validateHistory: ${c.name}`, (t) => {
    const problem = validateHistory(c.history);
    if (c.problemAt === undefined) t.is(problem, undefined);
    else {
      t.is(problem?.position, c.problemAt);
      t.regex(problem?.reason ?? '', c.reason!);
    }
  });
}

test('pairOps pairs each invoke with its process\'s completion and leaves open ones open', (t) => {
  const h = [op(0, 'invoke', 0), op(1, 'invoke', 1), op(2, 'ok', 1), op(3, 'fail', 0)];
  const pairs = pairOps(h);
  t.deepEqual(pairs.map((p) => [p.invoke.index, p.completion?.index]), [[0, 3], [1, 2]]);
  t.is(pairOps([op(0, 'invoke', 0)])[0]!.completion, undefined);
});

// Histories Postgres cannot hold as they are (issue 11, item 6): refused before anything is stored.
const unstorable: { name: string; op: Op; reason: RegExp }[] = [
  { name: 'a NUL in a value string', op: op(0, 'invoke', 0, 'write', 'a\u0000b'), reason: /value contains a NUL/ },
  { name: 'a NUL in f', op: op(0, 'invoke', 0, 'wr\u0000ite'), reason: /^f contains a NUL/ },
  { name: 'a lone high surrogate', op: op(0, 'invoke', 0, 'write', ['x', 'a\ud800']), reason: /lone surrogate \(\\ud800\) at character 1/ },
  { name: 'a lone low surrogate in a key', op: op(0, 'invoke', 0, 'write', { '\udc00': 1 }), reason: /key that contains a lone surrogate/ },
  { name: 'an index beyond int4', op: { ...op(0, 'invoke', 0), index: 2 ** 31 }, reason: /index 2147483648 is outside/ },
  { name: 'a negative process', op: op(0, 'invoke', -1), reason: /process -1 is outside/ },
  { name: 'a time beyond int8', op: { ...op(0, 'invoke', 0), timeNs: 1e20 }, reason: /timeNs 100000000000000000000 is not an integer within/ },
  { name: 'a fractional time', op: { ...op(0, 'invoke', 0), timeNs: 1.5 }, reason: /timeNs 1.5/ },
  { name: 'nesting too deep', op: op(0, 'invoke', 0, 'write', JSON.parse('['.repeat(1001) + ']'.repeat(1001))), reason: /nested deeper than 1000/ },
];
for (const c of unstorable) {
  test(`validateHistory refuses what Postgres cannot store: ${c.name}`, (t) => {
    const problem = validateHistory([c.op]);
    t.is(problem?.position, 0);
    t.regex(problem?.reason ?? '', c.reason);
  });
}

test('validateHistory accepts paired surrogates (emoji), deep-but-sane nesting and big safe numbers', (t) => {
  const v = { s: 'ok 😀', deep: JSON.parse('['.repeat(900) + ']'.repeat(900)), n: 2 ** 60 };
  t.is(validateHistory([{ ...op(0, 'invoke', 0, 'write', v), timeNs: 2 ** 62 }]), undefined);
});
