import test from 'ava';
import {
  any, eachThread, fn, limit, map, mix, once, onClients, onNemesis, phases, repeat, seq, sleep, stagger, timeLimit, untilOk,
  type Generator,
} from '../../src/generator/index.js';
import { simulate } from '../../src/generator/simulate.js';
import { validateHistory } from '../../src/history/validate.js';

const MS = 1_000_000;
const S = 1_000 * MS;
let counter = 0;
const write = fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 9) }));
const read = fn(() => ({ f: 'read', value: null }));
const invokes = <T extends { type: string }>(ops: T[]): T[] => ops.filter((o) => o.type === 'invoke');

test('limit gives exactly n ops, spread over the free threads, as a well-formed history', (t) => {
  const { ops, threadOf } = simulate(limit(10, write), { concurrency: 3, seed: 1 });
  t.is(invokes(ops).length, 10);
  t.is(ops.length, 20);
  t.is(validateHistory(ops), undefined);
  t.deepEqual(new Set(threadOf), new Set([0, 1, 2]));
});

test('the same seed gives the same ops; another seed other values', (t) => {
  const g = limit(50, mix([write, read]));
  const a = simulate(g, { concurrency: 4, seed: 7 }).ops;
  const b = simulate(g, { concurrency: 4, seed: 7 }).ops;
  const c = simulate(g, { concurrency: 4, seed: 8 }).ops;
  t.deepEqual(a, b);
  t.notDeepEqual(a.map((o) => [o.f, o.value]), c.map((o) => [o.f, o.value]));
  t.deepEqual(new Set(invokes(a).map((o) => o.f)), new Set(['write', 'read']), 'mix draws from both');
});

test('timeLimit stops invoking once its time is up', (t) => {
  const { ops } = simulate(timeLimit(2 * S, stagger(10 * MS, write)), { concurrency: 2, seed: 3 });
  const inv = invokes(ops);
  t.true(inv.every((o) => o.timeNs < 2 * S));
  t.true(inv.length > 150 && inv.length < 250, `about 200 ops at 100 Hz for 2 s, got ${inv.length}`);
});

test('stagger spaces ops to the requested rate across threads', (t) => {
  const { ops } = simulate(limit(1000, stagger(S / 500, write)), { concurrency: 10, seed: 5, latencyNs: MS });
  const inv = invokes(ops);
  const spanS = (inv.at(-1)!.timeNs - inv[0]!.timeNs) / S;
  const rate = inv.length / spanS;
  t.true(rate > 450 && rate < 550, `rate ${rate.toFixed(0)} Hz`);
});

test('phases: the next phase starts only after every op of the previous completed', (t) => {
  const { ops } = simulate(phases(limit(6, write), limit(4, read)), { concurrency: 3, seed: 1, latencyNs: 5 * MS });
  const lastWriteDone = Math.max(...ops.filter((o) => o.f === 'write' && o.type !== 'invoke').map((o) => o.index));
  const firstRead = Math.min(...ops.filter((o) => o.f === 'read').map((o) => o.index));
  t.true(firstRead > lastWriteDone);
  t.is(invokes(ops).filter((o) => o.f === 'read').length, 4);
});

test('sleep waits in simulated time, then the next generator runs', (t) => {
  const { ops } = simulate(seq(once({ f: 'a', value: 1 }), sleep(3 * S), once({ f: 'b', value: 2 })), { concurrency: 1, seed: 1, latencyNs: MS });
  const b = ops.find((o) => o.f === 'b' && o.type === 'invoke')!;
  t.true(b.timeNs >= 3 * S);
});

test('onNemesis ops go to the nemesis thread only; onClients never does', (t) => {
  const g = any([onClients(limit(20, write)), onNemesis(limit(3, fn(() => ({ f: 'partition', value: 'halves' }))))]);
  const { ops, threadOf } = simulate(g, { concurrency: 2, nemesis: true, seed: 2 });
  ops.forEach((o, i) => {
    if (o.f === 'partition') t.is(threadOf[i], 'nemesis');
    else t.not(threadOf[i], 'nemesis');
  });
  t.is(invokes(ops).filter((o) => o.f === 'partition').length, 3);
  t.true(ops.filter((o) => o.f === 'partition' && o.type !== 'invoke').every((o) => o.type === 'info' && o.process === 'nemesis'));
});

test('eachThread gives every client thread its own copy', (t) => {
  const { ops, threadOf } = simulate(eachThread((thread) => limit(2, fn(() => ({ f: 'read', value: thread })))), { concurrency: 3, seed: 1 });
  const inv = ops.map((o, i) => ({ o, th: threadOf[i] })).filter((x) => x.o.type === 'invoke');
  t.is(inv.length, 6);
  for (const { o, th } of inv) t.is(o.value, th);
});

test('untilOk keeps invoking until one op completes ok', (t) => {
  counter = 0;
  const { ops } = simulate(untilOk(repeat(once({ f: 'read', value: null }))), {
    concurrency: 1,
    seed: 1,
    complete: () => (++counter < 4 ? 'fail' : 'ok'),
  });
  t.deepEqual(ops.filter((o) => o.type !== 'invoke').map((o) => o.type), ['fail', 'fail', 'fail', 'ok']);
});

test('an info completion retires the process; the thread goes on as process + concurrency', (t) => {
  let n = 0;
  const { ops } = simulate(limit(4, write), { concurrency: 2, seed: 1, complete: () => (n++ === 0 ? 'info' : 'ok') });
  t.is(validateHistory(ops), undefined);
  t.true(ops.some((o) => o.process === 2), 'thread 0 continued as process 2');
});

test('map and repeat(n) compose', (t) => {
  const g = repeat(map((inv) => ({ ...inv, f: 'cas' }), limit(2, write)), 3);
  const { ops } = simulate(g, { concurrency: 2, seed: 1 });
  t.is(invokes(ops).length, 6);
  t.true(ops.every((o) => o.f === 'cas'));
});

test('a generator that is pending forever with nothing in flight is reported, not hung', (t) => {
  const stuck: Generator = { op: (ctx) => ({ kind: 'pending', next: stuck }), update: () => stuck };
  t.throws(() => simulate(stuck, { concurrency: 1, seed: 1 }), { message: /would hang/ });
});
