// Nemesis families against a runtime that records calls: each op completes as `info` with what it
// actually did, kill/pause heal exactly what they hurt, clock bumps add up and strobes restore,
// an unavailable mechanism is reported (never silently skipped), and compose routes by f.

import test from 'ava';
import { compose, parseFaults, unavailableFaults } from '../../nemeses/index.js';
import { clockNemesis } from '../../nemeses/clock.js';
import { netemNemesis } from '../../nemeses/netem.js';
import { partitionNemesis } from '../../nemeses/partition.js';
import { crashFamily, crashNemesis, killNemesis, pauseNemesis } from '../../nemeses/process.js';
import type { NemesisContext } from '../../nemeses/types.js';
import type { Op } from '../../src/core/op.js';
import { progress, type FaultMechanisms, type Grudge, type NodeHandle, type Runtime } from '../../src/runtime/types.js';
import { createRng } from '../../src/core/rng.js';

const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
const handles: NodeHandle[] = names.map((name) => ({ name, clientAddr: '', peerAddr: '', dataDir: '', logFile: '' }));

function recorder(m: Partial<FaultMechanisms> = {}) {
  const calls: string[] = [];
  const mech: FaultMechanisms = { partition: 'test', loss: 'test-loss', delay: 'test-delay', clock: 'test-clock', unavailable: {}, ...m };
  const rt: Runtime = {
    kind: 'local',
    up: async () => handles,
    nodes: () => handles,
    mechanisms: () => mech,
    start: async (n) => void calls.push(`start ${n.name}`),
    kill: async (n) => void calls.push(`kill ${n.name}`),
    pause: async (n) => void calls.push(`pause ${n.name}`),
    resume: async (n) => void calls.push(`resume ${n.name}`),
    partition: async (g: Grudge) => {
      calls.push(`partition ${JSON.stringify(g)}`);
      return Object.keys(g).length ? ['rule'] : [];
    },
    heal: async () => void calls.push('heal'),
    skewClock: async (n, offsetMs) => void calls.push(`clock ${n.name} ${offsetMs}`),
    resetClocks: async () => void calls.push('reset-clocks'),
    netem: async (n, o) => {
      calls.push(`netem ${n.name} ${JSON.stringify(o)}`);
      return [`${n.name} rule`];
    },
    logs: async () => '',
    down: async () => void calls.push('down'),
  };
  const ctx: NemesisContext = { runtime: rt, nodes: handles, rng: createRng(1), findLeader: async () => 'n4', progress: progress(5000) };
  return { calls, ctx };
}

const invoke = (f: string, value: unknown): Op => ({ index: 0, type: 'invoke', process: 'nemesis', f, value, timeNs: 0 });

test('partition: grudge applied, completion is info with components; leader kind asks the store', async (t) => {
  const { calls, ctx } = recorder();
  const n = partitionNemesis();
  const done = await n.invoke(ctx, invoke('start-partition', { kind: 'leader' }));
  t.is(done.type, 'info');
  t.is(done.process, 'nemesis');
  const v = done.value as { leader: string; components: string[][]; rules: string[] };
  t.is(v.leader, 'n4');
  t.deepEqual(v.components, [['n1', 'n2', 'n3', 'n5'], ['n4']]);
  t.deepEqual(v.rules, ['rule']);
  await n.heal(ctx);
  t.is(calls.at(-1), 'partition {}');
});

test('kill and pause heal exactly the nodes they hurt', async (t) => {
  const { calls, ctx } = recorder();
  const k = killNemesis();
  const done = await k.invoke(ctx, invoke('kill', { target: 'majority', nodes: ['n1', 'n2', 'n3'] }));
  t.deepEqual((done.value as { nodes: string[] }).nodes, ['n1', 'n2', 'n3']);
  await k.invoke(ctx, invoke('kill', { target: 'leader' }));
  const restarted = await k.invoke(ctx, invoke('restart', null));
  t.deepEqual((restarted.value as { nodes: string[] }).nodes, ['n1', 'n2', 'n3', 'n4']);
  t.deepEqual(calls.filter((c) => c.startsWith('start')).sort(), ['start n1', 'start n2', 'start n3', 'start n4']);
  const pz = pauseNemesis();
  await pz.invoke(ctx, invoke('pause', { target: 'one', nodes: ['n5'] }));
  await pz.heal(ctx);
  await pz.heal(ctx); // idempotent
  t.deepEqual(calls.filter((c) => c.startsWith('resume')), ['resume n5']);
});

test('crash kills every node it is given and recover restarts exactly those; it is its own fault', async (t) => {
  const { calls, ctx } = recorder();
  const c = crashNemesis();
  t.deepEqual([...c.fs].sort(), ['crash', 'recover']);
  const op = crashFamily.draw({ nodes: names, intervalMs: 1000 }, createRng(3));
  t.deepEqual(op, { f: 'crash', value: { target: 'all', nodes: names } });
  const done = await c.invoke(ctx, invoke(op.f, op.value));
  t.is(done.type, 'info');
  t.deepEqual((done.value as { nodes: string[] }).nodes, names);
  t.deepEqual(calls.filter((x) => x.startsWith('kill')).sort(), names.map((n) => `kill ${n}`));
  const recovered = await c.invoke(ctx, invoke('recover', null));
  t.deepEqual((recovered.value as { nodes: string[] }).nodes, names);
  t.deepEqual(calls.filter((x) => x.startsWith('start')).sort(), names.map((n) => `start ${n}`));
  await c.heal(ctx);
  t.is(calls.filter((x) => x.startsWith('start')).length, names.length, 'nothing left to restart');
  t.true(parseFaults('crash,kill').includes('crash'));
});

test('clock: bumps add up per node, strobe flips and restores, reset clears', async (t) => {
  const { calls, ctx } = recorder();
  const c = clockNemesis();
  await c.invoke(ctx, invoke('bump-clock', { offsetsMs: { n1: 5000 } }));
  const second = await c.invoke(ctx, invoke('bump-clock', { offsetsMs: { n1: -2000, n2: 100 } }));
  t.deepEqual((second.value as { offsetsMs: object }).offsetsMs, { n1: 3000, n2: 100 });
  calls.length = 0;
  const strobe = await c.invoke(ctx, invoke('strobe-clock', { nodes: ['n1'], offsetsMs: [0, 9000], periodMs: 20, durationMs: 130 }));
  const flips = (strobe.value as { flips: number }).flips;
  t.true(flips >= 3, `only ${flips} flips in 130 ms at 20 ms`);
  t.true(calls.includes('clock n1 9000') && calls.includes('clock n1 0'));
  t.is(calls.at(-1), 'clock n1 3000'); // back where it was before the strobe
  const reset = await c.invoke(ctx, invoke('reset-clock', null));
  t.deepEqual((reset.value as { reset: string[] }).reset, ['n1', 'n2']);
});

test('loss/delay: applied per node, healed, and an unavailable mechanism is reported as an error', async (t) => {
  const { calls, ctx } = recorder({ delay: null, unavailable: { delay: 'the kernel has no netem' } });
  const n = netemNemesis();
  const loss = await n.invoke(ctx, invoke('start-loss', { nodes: ['n2'], lossPct: 30 }));
  t.deepEqual(loss.value, { nodes: ['n2'], lossPct: 30, mechanism: 'test-loss', rules: ['n2 rule'] });
  const delay = await n.invoke(ctx, invoke('start-delay', { nodes: ['n2'], delayMs: 100, jitterMs: 0 }));
  t.regex(delay.error ?? '', /delay is unavailable: the kernel has no netem/);
  await n.heal(ctx);
  t.is(calls.at(-1), 'netem n2 {"lossPct":0}');
});

test('compose routes by f, turns a throwing nemesis into an info op with the error, heals all', async (t) => {
  const { calls, ctx } = recorder();
  ctx.runtime.kill = async () => {
    throw new Error('daemon went away');
  };
  const all = compose();
  const failed = await all.invoke(ctx, invoke('kill', { target: 'one', nodes: ['n1'] }));
  t.is(failed.type, 'info');
  t.is(failed.error, 'daemon went away');
  const unknown = await all.invoke(ctx, invoke('nope', null));
  t.regex(unknown.error ?? '', /no nemesis handles f=nope/);
  await all.invoke(ctx, invoke('start-partition', { kind: 'halves', grudge: { n1: ['n2'], n2: ['n1'] } }));
  await all.heal(ctx);
  t.is(calls.filter((c) => c === 'partition {}').length, 1);
  t.true(calls.includes('reset-clocks'));
});

test('parseFaults and unavailableFaults name the bad value and the reason', (t) => {
  t.deepEqual(parseFaults('partition, kill,partition'), ['partition', 'kill']);
  t.throws(() => parseFaults('partition,flood'), { message: /unknown nemesis "flood" \(allowed: partition, kill, pause, crash, clock, loss, delay\)/ });
  const { ctx } = recorder({ partition: 'x', loss: 'y', delay: null, clock: null, unavailable: { delay: 'no netem', clock: 'no libfaketime' } });
  t.deepEqual(unavailableFaults(['partition', 'delay', 'clock'], ctx.runtime), [
    { fault: 'delay', reason: 'no netem' },
    { fault: 'clock', reason: 'no libfaketime' },
  ]);
  // A runtime without an ability is refused by the ability's name, whatever its mechanisms say.
  const { kill: _kill, start: _start, ...noKill } = ctx.runtime as Required<typeof ctx.runtime>;
  t.deepEqual(unavailableFaults(['kill', 'partition'], noKill), [{ fault: 'kill', reason: 'the local runtime has no kill ability' }]);
});

test('a leader-targeted fault waits for an election in progress, and says so when no leader comes in time', async (t) => {
  const { calls, ctx } = recorder();
  let asked = 0;
  // No leader for the first three asks (an election under way), then n2 wins.
  ctx.findLeader = async () => (++asked > 3 ? 'n2' : undefined);
  const pz = pauseNemesis();
  const done = await pz.invoke(ctx, invoke('pause', { target: 'leader' }));
  t.deepEqual((done.value as { nodes: string[] }).nodes, ['n2']);
  t.is(done.error, undefined);
  t.true(calls.includes('pause n2'));
  t.is(asked, 4);

  // Never a leader: the op gives up within the wait bound (not the op's whole deadline) and says why.
  const never = recorder();
  never.ctx.findLeader = async () => undefined;
  const started = Date.now();
  const k = await killNemesis().invoke(never.ctx, invoke('kill', { target: 'leader' }));
  t.is(k.error, 'no leader to target');
  t.deepEqual(never.calls, []);
  t.true(Date.now() - started < 5000 + 1000, `${Date.now() - started} ms`);
  t.true(Date.now() - started >= 4500, `gave up after ${Date.now() - started} ms, before the wait bound`);
});
