// Randomized simulation: many seeds, each a long schedule of partitions, one-way cuts, crashes,
// restarts from disk, drops, duplicates and delays, with Raft's safety properties checked on
// every step and liveness demanded after healing. More seeds: FAULTLINE_SIM_SEEDS=5000;
// one seed: FAULTLINE_SIM_SEED=123; longer runs: FAULTLINE_SIM_STEPS=5000.

import test from 'ava';
import { BUGS, PROTOCOL_BUGS } from '../../src/store/bugs.js';
import { Rng } from '../../src/store/sim/rng.js';
import { SafetyChecker } from '../../src/store/sim/invariants.js';
import { runSchedule } from '../../src/store/sim/schedule.js';
import type { ScheduleResult } from '../../src/store/sim/schedule.js';

const seeds = Number(process.env.FAULTLINE_SIM_SEEDS ?? 1000);
const steps = Number(process.env.FAULTLINE_SIM_STEPS ?? 1000);
const only = process.env.FAULTLINE_SIM_SEED;

test(`safety on every step and liveness after healing (${only ? `seed ${only}` : `${seeds} seeds`} × ${steps} steps)`, (t) => {
  const list = only ? [Number(only)] : Array.from({ length: seeds }, (_, i) => i + 1);
  const results: ScheduleResult[] = list.map((seed) => runSchedule(seed, steps));
  const sum = (f: (r: ScheduleResult) => number) => results.reduce((a, r) => a + f(r), 0);
  // The runs must actually have exercised the protocol: commits, elections and crashes.
  t.true(results.every((r) => r.committed > 0 && r.steps >= steps));
  t.true(sum((r) => r.crashes) > list.length, 'crashes were injected');
  t.true(sum((r) => r.leaderChanges) > 2 * list.length, 'leaders changed');
  t.true(sum((r) => r.checks) > 100 * list.length, 'invariants were checked');
  t.log(`committed ${sum((r) => r.committed)} entries, ${sum((r) => r.crashes)} crashes, ${sum((r) => r.leaderChanges)} terms, ${sum((r) => r.messages)} messages`);
});

test('the randomized checks catch every bug switch (of Raft; Paxos-only bugs on Paxos; Zab-only in the Zab tests)', (t) => {
  // Bugs that only show in ops this schedule does not issue are caught elsewhere:
  // txn-local-read (read-only transactions) by the simulator in test/store/txn.test.ts,
  // lock-lease-clock (fenced lock writes) on a real cluster in test/store/txn-lock.test.ts.
  for (const bug of BUGS.filter((b) => PROTOCOL_BUGS[b] !== 'zab' && b !== 'txn-local-read' && b !== 'lock-lease-clock')) {
    let caught: string | undefined;
    const protocol = PROTOCOL_BUGS[bug] === 'paxos' ? 'paxos' : 'raft';
    for (let seed = 1; seed <= 500 && caught === undefined; seed++) {
      try {
        runSchedule(seed, steps, [bug], { protocol });
      } catch (err) {
        caught = (err as Error).message;
      }
    }
    t.truthy(caught, `${bug} went unnoticed in 500 seeds`);
    t.log(`${bug}: ${caught}`);
  }
});

test('the same seed replays the same schedule', (t) => {
  t.deepEqual(runSchedule(42, 400), runSchedule(42, 400));
});

test('the safety checker flags conflicting entries and double leaders', (t) => {
  const c = new SafetyChecker();
  c.onAppend('n1', { index: 1, term: 1, cmd: { op: 'put', key: 'a', value: 1 } }, 0);
  t.notThrows(() => c.onAppend('n2', { index: 1, term: 1, cmd: { op: 'put', key: 'a', value: 1 } }, 0));
  t.throws(() => c.onAppend('n3', { index: 1, term: 1, cmd: { op: 'put', key: 'a', value: 2 } }, 0), { message: /log matching/ });
  t.throws(() => c.onAppend('n3', { index: 1, term: 1, cmd: { op: 'put', key: 'a', value: 1 } }, 5), { message: /log matching/ });
  const applied = (index: number, term: number, value: number) => ({
    persist: [], messages: [], urgentMessages: [], readsReady: [], readsFailed: [], lastIndex: 0, lastTerm: 0,
    applied: [{ index, term, cmd: { op: 'put' as const, key: 'a', value }, result: { ok: true as const, value: null } }],
  });
  const node = { id: 'n1' } as never;
  c.onReady(node, applied(1, 1, 1));
  t.throws(() => c.onReady(node, applied(1, 2, 1)), { message: /state machine safety/ });
  const leaderStatus = (id: string) => ({ id, core: { status: () => ({ role: 'leader', term: 3 }), snapIndex: 0, termAt: () => 1 } });
  const fakeCluster = { now: 1, nodes: [leaderStatus('n1'), leaderStatus('n2')] } as never;
  t.throws(() => c.afterStep(fakeCluster), { message: /election safety/ });
});

test('the seeded generator is deterministic and uniform enough', (t) => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 1000 }, () => a.next());
  t.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.true(mean > 0.45 && mean < 0.55);
});
