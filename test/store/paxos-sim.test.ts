// Multi-Paxos on the simulated network: many seeds, each a long schedule of partitions, one-way
// cuts, crashes and restarts from disk (with fsync latency), drops, duplicates, delays and clock
// skew, with Paxos' safety checked on every step (one value per slot and ballot, one value
// chosen per slot, in-order apply so applied prefixes agree, a new leader proposes every chosen
// value) and liveness, durability and linearizable reads demanded after healing.
// FAULTLINE_SIM_SEEDS / FAULTLINE_SIM_STEPS / FAULTLINE_SIM_SEED as for sim.test.ts.

import test from 'ava';
import { runSchedule } from '../../src/store/sim/schedule.js';
import type { ScheduleResult } from '../../src/store/sim/schedule.js';
import { PaxosSafetyChecker } from '../../src/store/sim/paxos-invariants.js';
import { cluster, elect, run, settle } from './helpers/sim.js';

const seeds = Number(process.env.FAULTLINE_SIM_SEEDS ?? 1000);
const steps = Number(process.env.FAULTLINE_SIM_STEPS ?? 1000);
const only = process.env.FAULTLINE_SIM_SEED;

test(`paxos: safety on every step and liveness after healing (${only ? `seed ${only}` : `${seeds} seeds`} × ${steps} steps)`, (t) => {
  const list = only ? [Number(only)] : Array.from({ length: seeds }, (_, i) => i + 1);
  const results: ScheduleResult[] = list.map((seed) => runSchedule(seed, steps, [], { protocol: 'paxos' }));
  const sum = (f: (r: ScheduleResult) => number) => results.reduce((a, r) => a + f(r), 0);
  t.true(results.every((r) => r.committed > 0 && r.steps >= steps));
  t.true(sum((r) => r.crashes) > list.length, 'crashes were injected');
  t.true(sum((r) => r.leaderChanges) > 2 * list.length, 'ballots changed');
  t.true(sum((r) => r.checks) > 100 * list.length, 'invariants were checked');
  t.log(`committed ${sum((r) => r.committed)} slots, ${sum((r) => r.crashes)} crashes, ${sum((r) => r.messages)} messages, ${sum((r) => r.checks)} checks`);
});

test('paxos: the same seed replays the same schedule', (t) => {
  t.deepEqual(runSchedule(42, 400, [], { protocol: 'paxos' }), runSchedule(42, 400, [], { protocol: 'paxos' }));
});

test('paxos: a new leader re-proposes what a minority accepted and fills holes with no-ops', (t) => {
  const c = cluster({ seed: 3, protocol: 'paxos' });
  const leader = elect(c);
  t.deepEqual(run(c, leader, { op: 'put', key: 'x', value: 1 }), { ok: true, value: null });
  settle(c);
  const others = c.ids.filter((id) => id !== leader);
  // Cut the leader off right after it proposes: one follower may accept, nothing is chosen yet.
  c.submit(leader, { op: 'put', key: 'x', value: 2 });
  c.net.partition([leader], others);
  c.run(200);
  c.crash(leader);
  c.net.heal();
  const second = elect(c, others);
  t.not(second, leader);
  c.restart(leader);
  settle(c);
  // Whatever the new leader chose for the cut-off write, every node agrees, in the same order.
  const states = c.up().map((n) => JSON.stringify(n.core!.kv.snapshot()));
  t.is(new Set(states).size, 1);
  t.deepEqual(run(c, second, { op: 'get', key: 'x' }).ok, true);
});

test('paxos: the checker flags two values chosen for one slot and two values in one ballot', (t) => {
  const c = new PaxosSafetyChecker();
  c.onAppend('n1', { index: 1, term: 3, cmd: { op: 'put', key: 'a', value: 1 }, origin: 3 });
  t.notThrows(() => c.onAppend('n2', { index: 1, term: 3, cmd: { op: 'put', key: 'a', value: 1 }, origin: 3 }));
  t.throws(() => c.onAppend('n3', { index: 1, term: 3, cmd: { op: 'put', key: 'a', value: 2 }, origin: 3 }), { message: /one value per ballot/ });
  const applied = (index: number, origin: number, value: number) => ({
    persist: [], messages: [], urgentMessages: [], readsReady: [], readsFailed: [], lastIndex: 0, lastTerm: 0,
    applied: [{ index, term: origin, cmd: { op: 'put' as const, key: 'a', value }, result: { ok: true as const, value: null } }],
  });
  c.onReady({ id: 'n1', core: {} } as never, applied(1, 3, 1));
  t.throws(() => c.onReady({ id: 'n2', core: {} } as never, applied(1, 4, 1)), { message: /one value chosen per slot/ });
  const n3 = { id: 'n3', core: {} } as never;
  c.onReady(n3, applied(2, 3, 1));
  t.throws(() => c.onReady(n3, applied(2, 3, 1)), { message: /in-order apply/ });
});
