// Zab in the randomized simulation: many seeds, each a long schedule of partitions, one-way
// cuts, crashes, restarts from disk, drops, duplicates and delays, with Zab's properties
// (integrity, agreement, total order, primary order, one primary per epoch) checked on every
// step and liveness demanded after healing; every --bug switch and every test-only mutation must
// be caught within a bounded number of seeds. More seeds: FAULTLINE_SIM_SEEDS=5000;
// one seed: FAULTLINE_SIM_SEED=123; longer runs: FAULTLINE_SIM_STEPS=5000.

import test from 'ava';
import { runSchedule } from '../../src/store/sim/schedule.js';
import type { ScheduleResult } from '../../src/store/sim/schedule.js';
import { ZAB_MUTATIONS } from '../../src/store/zab/config.js';
import { ZabChecker } from '../../src/store/zab/invariants.js';
import { firstCatch } from '../../src/store/zab/mutations.js';

const seeds = Number(process.env.FAULTLINE_SIM_SEEDS ?? 1000);
const steps = Number(process.env.FAULTLINE_SIM_STEPS ?? 1000);
const only = process.env.FAULTLINE_SIM_SEED;
const MAX_SEEDS_TO_CATCH = 300;

test(`zab: safety on every step and liveness after healing (${only ? `seed ${only}` : `${seeds} seeds`} × ${steps} steps)`, (t) => {
  const list = only ? [Number(only)] : Array.from({ length: seeds }, (_, i) => i + 1);
  const results: ScheduleResult[] = list.map((seed) => runSchedule(seed, steps, [], { protocol: 'zab' }));
  const sum = (f: (r: ScheduleResult) => number) => results.reduce((a, r) => a + f(r), 0);
  t.true(results.every((r) => r.committed > 0 && r.steps >= steps));
  if (!only) {
    t.true(sum((r) => r.crashes) > list.length, 'crashes were injected');
    t.true(sum((r) => r.leaderChanges) > 2 * list.length, 'epochs changed');
    t.true(sum((r) => r.checks) > 100 * list.length, 'invariants were checked');
  }
  t.log(`committed ${sum((r) => r.committed)} transactions, ${sum((r) => r.crashes)} crashes, ${sum((r) => r.leaderChanges)} epochs, ${sum((r) => r.messages)} messages, ${sum((r) => r.checks)} checks`);
});

for (const bug of ['skip-sync', 'local-read', 'stale-read', 'early-ack', 'no-fsync'] as const) {
  test(`zab: the randomized checks catch --bug ${bug}`, (t) => {
    const c = firstCatch({ bug }, MAX_SEEDS_TO_CATCH, steps);
    t.truthy(c.seeds, `--bug ${bug} went unnoticed in ${MAX_SEEDS_TO_CATCH} seeds`);
    t.log(`--bug ${bug}: seed ${c.seeds}: ${c.message}`);
  });
}

for (const mutation of ZAB_MUTATIONS) {
  test(`zab: the randomized checks catch the mutation ${mutation}`, (t) => {
    const c = firstCatch({ mutation }, MAX_SEEDS_TO_CATCH, steps);
    t.truthy(c.seeds, `mutation ${mutation} escaped ${MAX_SEEDS_TO_CATCH} seeds`);
    t.log(`${mutation}: seed ${c.seeds}: ${c.message}`);
  });
}

test('zab: the same seed replays the same schedule', (t) => {
  t.deepEqual(runSchedule(42, 400, [], { protocol: 'zab' }), runSchedule(42, 400, [], { protocol: 'zab' }));
});

test('zab: the checker flags a reused zxid, disagreeing deliveries and two primaries of one epoch', (t) => {
  const c = new ZabChecker();
  const put = (value: number) => ({ op: 'put' as const, key: 'a', value });
  c.onAppend('n1', { index: 1, term: 1, cmd: put(1) }, 0);
  t.notThrows(() => c.onAppend('n2', { index: 1, term: 1, cmd: put(1) }, 0));
  t.throws(() => c.onAppend('n3', { index: 1, term: 1, cmd: put(2) }, 0), { message: /agreement/ });
  t.throws(() => c.onAppend('n3', { index: 1, term: 1, cmd: put(1) }, 7), { message: /primary order/ });
  const ready = (index: number, term: number, value: number) => ({
    persist: [], messages: [], urgentMessages: [], readsReady: [], readsFailed: [], lastIndex: 0, lastTerm: 0,
    applied: [{ index, term, cmd: put(value), result: { ok: true as const, value: null } }],
  });
  const n1 = { id: 'n1', core: {} } as never;
  const n2 = { id: 'n2', core: {} } as never;
  c.onReady(n1, ready(1, 1, 1));
  t.throws(() => c.onReady(n2, ready(1, 2, 1)), { message: /agreement/ });
  t.throws(() => c.onReady(n1, ready(1, 1, 1)), { message: /total order/ });
  const leader = (id: string) => ({ id, core: { status: () => ({ role: 'leader', term: 3 }), snapIndex: 0, termAt: () => 1, inspect: () => ({ entries: [] }) } });
  t.throws(() => c.afterStep({ now: 1, nodes: [leader('n1'), leader('n2')] } as never), { message: /primary uniqueness/ });
});
