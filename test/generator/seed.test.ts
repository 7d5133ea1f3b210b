// A seed fixes the workload: two runs with the same seed give every thread the same ops in the
// same order, whatever the timing (client latencies here are random and differ between the runs);
// the nemesis gets its own deadline, not a client's op timeout.

import test from 'ava';
import { any, mix, fn, limit, onClients, onNemesis, once, stagger } from '../../src/generator/index.js';
import type { Op } from '../../src/core/op.js';
import { interpret, type Worker } from '../../src/interpreter/index.js';
import { createRng } from '../../src/core/rng.js';
import { buildWorkload } from '../../workloads/index.js';

/** A worker answering ok after a random 0–3 ms (Math.random: timing differs between runs). */
const jittery: Worker = {
  invoke: (inv) => new Promise((resolve) => setTimeout(() => resolve({ type: 'ok', value: inv.value }), Math.random() * 3)),
};

async function perThread(seed: number, generator: Parameters<typeof interpret>[0]['generator']): Promise<Map<Op['process'], string[]>> {
  const ops: Op[] = [];
  await interpret({ concurrency: 4, client: () => jittery, record: (op) => void ops.push(op), rng: createRng(seed), opTimeoutMs: 1000, generator });
  const byThread = new Map<Op['process'], string[]>();
  for (const op of ops) if (op.type === 'invoke') byThread.set(op.process, [...(byThread.get(op.process) ?? []), `${op.f} ${JSON.stringify(op.value)}`]);
  return byThread;
}

for (const name of ['register', 'kv', 'set', 'counter'] as const) {
  test(`--seed fixes the ${name} workload: the same invocations per thread in two runs`, async (t) => {
    const gen = () => onClients(limit(300, stagger(1e9 / 20_000, buildWorkload(name).generator)));
    const a = await perThread(42, gen());
    const b = await perThread(42, gen());
    let compared = 0;
    for (const [thread, ops] of a) {
      const other = b.get(thread) ?? [];
      const n = Math.min(ops.length, other.length);
      compared += n;
      t.deepEqual(other.slice(0, n), ops.slice(0, n), `thread ${String(thread)}`);
    }
    t.true(compared > 150, `enough ops compared (${compared} of 300)`);
    const c = await perThread(43, gen());
    t.notDeepEqual([...c.values()].map((x) => x.slice(0, 5)), [...a.values()].map((x) => x.slice(0, 5)), 'another seed draws other ops');
  });
}

test('a thread chosen by the generator draws from its own stream', async (t) => {
  // mix + fn: the generator picks the first free thread; values come from that thread's stream.
  const g = () => onClients(limit(200, mix([fn((ctx) => ({ f: 'a', value: ctx.rng.int(0, 1e6) })), fn((ctx) => ({ f: 'b', value: ctx.rng.int(0, 1e6) }))])));
  const a = await perThread(7, g());
  const b = await perThread(7, g());
  for (const [thread, ops] of a) {
    const n = Math.min(ops.length, b.get(thread)!.length);
    t.deepEqual(b.get(thread)!.slice(0, n), ops.slice(0, n));
  }
});

test('a nemesis op has its own deadline: a 300 ms fault is not cut at a 100 ms client timeout', async (t) => {
  const ops: Op[] = [];
  const slowNemesis: Worker = { invoke: () => new Promise((resolve) => setTimeout(() => resolve({ type: 'info', value: 'strobed' }), 300)) };
  await interpret({
    concurrency: 1,
    client: () => jittery,
    nemesis: slowNemesis,
    record: (op) => void ops.push(op),
    rng: createRng(1),
    opTimeoutMs: 100,
    nemesisTimeoutMs: 5000,
    generator: any([onNemesis(once({ f: 'strobe-clock', value: null }))]),
  });
  const done = ops.find((o) => o.process === 'nemesis' && o.type === 'info')!;
  t.is(done.value, 'strobed');
  t.is(done.error, undefined);
});
