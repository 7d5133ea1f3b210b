import test from 'ava';
import { fn, limit, once, seq, stagger, timeLimit, onNemesis, any, onClients } from '../../src/generator/index.js';
import type { Op } from '../../src/core/op.js';
import { validateHistory } from '../../src/history/validate.js';
import { interpret, type Worker } from '../../src/interpreter/index.js';
import { createRng } from '../../src/core/rng.js';

const ok: Worker = { invoke: async (inv) => ({ type: 'ok', value: inv.value }) };

function run(opts: Partial<Parameters<typeof interpret>[0]> & { generator: Parameters<typeof interpret>[0]['generator'] }) {
  const ops: Op[] = [];
  return interpret({ concurrency: 3, client: () => ok, record: (op) => void ops.push(op), rng: createRng(1), opTimeoutMs: 1000, ...opts }).then((r) => ({ ...r, ops }));
}

test('every invoke is recorded with its completion, in index order', async (t) => {
  const { ops, recorded } = await run({ generator: limit(100, fn((ctx) => ({ f: 'write', value: ctx.rng.int(0, 5) }))) });
  t.is(recorded, 200);
  t.is(validateHistory(ops), undefined);
  t.deepEqual(ops.map((o) => o.index), [...Array(200).keys()]);
  t.true(ops.every((o, i) => i === 0 || o.timeNs >= ops[i - 1]!.timeNs), 'times never go back');
});

test('an op that outlives its timeout completes info, and the process is retired', async (t) => {
  let calls = 0;
  const slowFirst: Worker = { invoke: (inv, signal) => (calls++ === 0 ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) : Promise.resolve({ type: 'ok' as const, value: inv.value })) };
  const { ops } = await run({ concurrency: 1, client: () => slowFirst, opTimeoutMs: 50, generator: limit(3, fn(() => ({ f: 'read', value: null }))) });
  t.is(validateHistory(ops), undefined);
  t.is(ops[1]!.type, 'info');
  t.regex(ops[1]!.error!, /timeout after 50 ms/);
  t.deepEqual(ops.filter((o) => o.type === 'invoke').map((o) => o.process), [0, 1, 1]);
});

test('a client that throws gives an info op with the error text, never a crash', async (t) => {
  const boom: Worker = { invoke: async () => { throw new Error('connection reset by peer'); } };
  const { ops } = await run({ concurrency: 2, client: () => boom, generator: limit(4, fn(() => ({ f: 'write', value: 1 }))) });
  t.is(validateHistory(ops), undefined);
  const done = ops.filter((o) => o.type !== 'invoke');
  t.is(done.length, 4);
  t.true(done.every((o) => o.type === 'info' && o.error === 'connection reset by peer'));
});

test('fail and node from the client are kept; nemesis completions are info on process nemesis', async (t) => {
  const failing: Worker = { invoke: async () => ({ type: 'fail', error: 'cas-mismatch', node: 'n2' }) };
  const nemesis: Worker = { invoke: async (inv) => ({ type: 'ok', value: { did: inv.value } }) };
  const g = any([onClients(limit(2, fn(() => ({ f: 'cas', value: [1, 2] })))), onNemesis(once({ f: 'kill', value: 'n1' }))]);
  const { ops } = await run({ concurrency: 1, client: () => failing, nemesis, generator: g });
  t.is(validateHistory(ops), undefined);
  const cas = ops.filter((o) => o.f === 'cas' && o.type !== 'invoke');
  t.true(cas.every((o) => o.type === 'fail' && o.node === 'n2' && o.error === 'cas-mismatch'));
  const kill = ops.find((o) => o.f === 'kill' && o.type !== 'invoke')!;
  t.is(kill.type, 'info');
  t.is(kill.process, 'nemesis');
  t.deepEqual(kill.value, { did: 'n1' });
});

test('abort: no new ops, in-flight ops complete info, the history stays well formed', async (t) => {
  const never: Worker = { invoke: (_inv, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const { ops, aborted } = await run({ concurrency: 3, client: () => never, opTimeoutMs: 60_000, signal: controller.signal, generator: fn(() => ({ f: 'read', value: null })) });
  t.true(aborted);
  t.is(validateHistory(ops), undefined);
  t.is(ops.filter((o) => o.type === 'invoke').length, 3);
  t.true(ops.filter((o) => o.type !== 'invoke').every((o) => o.type === 'info' && o.error === 'aborted'));
});

test('stagger and timeLimit run on the real clock: no op after the limit, none faster than the rate allows', async (t) => {
  const { ops } = await run({ concurrency: 2, generator: timeLimit(300_000_000, stagger(10_000_000, fn(() => ({ f: 'read', value: null })))) });
  const inv = ops.filter((o) => o.type === 'invoke');
  t.true(inv.every((o) => o.timeNs < 300_000_000), 'nothing invoked after the time limit');
  // Gaps are uniform in [0, 20 ms]: 300 ms can hold at most a few dozen. A loaded machine may
  // hold far fewer: a timer that fires after the limit drops its op (see the test below).
  t.true(inv.length >= 1 && inv.length <= 80, `at most ~60 ops in 300 ms at 100 Hz, got ${inv.length}`);
  t.is(validateHistory(ops), undefined);
});

test('an op whose start a late timer pushed past its time limit is dropped, not invoked late', async (t) => {
  // Thread 0 blocks the event loop from 30 to 80 ms; thread 1's op is due at 40 ms under a 50 ms
  // limit, so its timer fires only at ~80 ms — after the limit. It must not go out then.
  const t0 = performance.now();
  const blocking: Worker = {
    invoke: async (inv) => {
      if (inv.f !== 'block') return { type: 'ok', value: inv.value };
      await new Promise((r) => setTimeout(r, 30));
      while (performance.now() - t0 < 80);
      await new Promise((r) => setTimeout(r, 100));
      return { type: 'ok', value: null };
    },
  };
  const { ops } = await run({ concurrency: 2, client: () => blocking, generator: timeLimit(50_000_000, seq({ f: 'block', value: null }, { f: 'read', value: null, timeNs: 40_000_000 })) });
  t.is(validateHistory(ops), undefined);
  t.deepEqual(ops.filter((o) => o.type === 'invoke').map((o) => o.f), ['block'], 'the late read was dropped');
});

test('a generator error still completes in-flight ops, then surfaces', async (t) => {
  let asked = 0;
  const bad = { op: () => { if (++asked > 3) throw new Error('generator bug'); return { kind: 'op' as const, thread: 0, op: { f: 'read', value: null }, next: bad }; }, update: () => bad };
  const slow: Worker = { invoke: (_inv, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
  const ops: Op[] = [];
  await t.throwsAsync(interpret({ concurrency: 1, client: () => slow, record: (op) => void ops.push(op), rng: createRng(1), opTimeoutMs: 10_000, generator: seq(bad) }), { message: /generator bug|busy thread/ });
  t.is(validateHistory(ops), undefined);
  t.is(ops.at(-1)!.type, 'info');
});
