// Multi-Paxos on the simulated network: many seeds, each a long schedule of partitions, one-way
// cuts, crashes and restarts from disk (with fsync latency), drops, duplicates, delays and clock
// skew, with Paxos' safety checked on every step (one value per slot and ballot, one value
// chosen per slot, in-order apply so applied prefixes agree, a new leader proposes every chosen
// value) and liveness, durability and linearizable reads demanded after healing.
// FAULTLINE_SIM_SEEDS / FAULTLINE_SIM_STEPS / FAULTLINE_SIM_SEED as for sim.test.ts.

import test from 'ava';
import { BUGS, bugProtocolError } from '../../src/store/bugs.js';
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

test('paxos: the randomized checks catch every bug switch that applies to it', (t) => {
  // stale-read and lease-read (reads), early-ack and no-fsync (durability), skip-prepare (Paxos
  // only: a leader without phase 1 overwrites chosen values); Zab's own bugs do not apply.
  // txn-local-read (read-only transactions) and lock-lease-clock (fenced lock writes) need ops this
  // schedule does not issue: see test/store/txn.test.ts and test/store/txn-lock.test.ts.
  for (const bug of BUGS.filter((b) => bugProtocolError('paxos', b) === undefined && b !== 'txn-local-read' && b !== 'lock-lease-clock')) {
    let caught: string | undefined;
    // lease-read needs a clock jump on a leader cut off with its lease while a client reads
    // from it; on Paxos the first such seed is 985 today (on Raft 197).
    const bound = bug === 'lease-read' ? 1000 : 500;
    for (let seed = 1; seed <= bound && caught === undefined; seed++) {
      try {
        runSchedule(seed, steps, [bug], { protocol: 'paxos' });
      } catch (err) {
        caught = `seed ${seed}: ${(err as Error).message}`;
      }
    }
    t.truthy(caught, `${bug} went unnoticed in ${bound} seeds`);
    t.log(`${bug}: ${caught}`);
  }
});

test('paxos: the same seed replays the same schedule', (t) => {
  t.deepEqual(runSchedule(42, 400, [], { protocol: 'paxos' }), runSchedule(42, 400, [], { protocol: 'paxos' }));
});

test('paxos: a value only a minority accepted is re-proposed by the next leader and chosen', (t) => {
  const c = cluster({ seed: 3, protocol: 'paxos' });
  const leader = elect(c);
  t.deepEqual(run(c, leader, { op: 'put', key: 'x', value: 1 }), { ok: true, value: null });
  settle(c);
  const [f1, f2] = c.ids.filter((id) => id !== leader) as [string, string];
  const ballot = c.node(leader).core!.status().term;
  // The leader's accept reaches f1 only, and f1's answer never comes back: nothing is chosen.
  c.net.cutLink(leader, f2);
  c.net.cutLink(f1, leader);
  const w = c.submit(leader, { op: 'put', key: 'x', value: 2 });
  c.run(6);
  t.is(w.reply, undefined, 'not acknowledged: no majority accepted it');
  const slot = c.node(f1).core!.status().lastIndex;
  t.is(c.node(f1).core!.termAt(slot), ballot, 'f1 accepted it in the old ballot');
  c.crash(leader);
  c.net.heal();
  const second = elect(c, [f1, f2]);
  settle(c);
  // Phase 1 found it (f1 is in every majority of the two survivors) and it was chosen.
  t.true(c.node(second).core!.status().term > ballot);
  t.not(c.node(f1).core!.termAt(slot), ballot, 'f1 holds it in the new ballot now');
  t.deepEqual(run(c, second, { op: 'get', key: 'x' }), { ok: true, value: 2 });
  c.restart(leader);
  settle(c);
  t.is(new Set(c.up().map((n) => JSON.stringify(n.core!.kv.snapshot()))).size, 1, 'every node applied the same');
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
