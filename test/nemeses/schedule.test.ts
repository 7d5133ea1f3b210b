// The nemesis schedule: reproducible by seed, every injected fault healed, targets are cluster nodes.

import test from 'ava';
import fc from 'fast-check';
import { FAULTS, HEAL_OF, schedule, slotsIn, type Fault, type ScheduledOp } from '../../nemeses/schedule.js';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const INJECT_OF: Record<string, Fault> = {
  'start-partition': 'partition', kill: 'kill', pause: 'pause', crash: 'crash', 'bump-clock': 'clock', 'strobe-clock': 'clock',
  'start-loss': 'loss', 'start-delay': 'delay',
};
const HEALS = new Map(Object.entries(HEAL_OF).map(([fault, f]) => [f, fault as Fault]));

function targetsOf(op: ScheduledOp): string[] {
  const v = op.value as Record<string, unknown> | null;
  if (!v) return [];
  if (Array.isArray(v.nodes)) return v.nodes as string[];
  if (v.offsetsMs && !Array.isArray(v.offsetsMs)) return Object.keys(v.offsetsMs);
  if (v.grudge) return Object.keys(v.grudge);
  return [];
}

test('same seed, same schedule; another seed, another schedule', (t) => {
  const o = { faults: ['partition', 'kill', 'clock'] as Fault[], nodes, intervalMs: 1000, durationMs: 60_000 };
  t.deepEqual(schedule({ ...o, seed: 3 }), schedule({ ...o, seed: 3 }));
  t.notDeepEqual(schedule({ ...o, seed: 3 }), schedule({ ...o, seed: 4 }));
});

test('every inject is healed, heals only follow injects, times are in order, targets are nodes', (t) => {
  fc.assert(
    fc.property(
      fc.subarray([...FAULTS], { minLength: 1 }),
      fc.integer(),
      fc.integer({ min: 50, max: 5000 }),
      fc.integer({ min: 0, max: 100_000 }),
      (faults, seed, intervalMs, durationMs) => {
        // A time limit without room for every requested fault is refused (tested below).
        fc.pre(durationMs === 0 || slotsIn(durationMs, intervalMs) >= faults.length);
        const ops = schedule({ faults, nodes, intervalMs, durationMs, seed });
        if (durationMs > 0 && !faults.every((f) => ops.some((op) => INJECT_OF[op.f] === f))) return false;
        const active = new Set<Fault>();
        let last = 0;
        for (const op of ops) {
          if (op.atMs < last || op.atMs > durationMs) return false;
          last = op.atMs;
          const injected = INJECT_OF[op.f];
          const healed = HEALS.get(op.f);
          if (injected) {
            if (!faults.includes(injected) || active.has(injected)) return false;
            active.add(injected);
          } else if (healed) {
            if (!active.delete(healed)) return false;
          } else return false;
          if (!targetsOf(op).every((n) => nodes.includes(n))) return false;
        }
        return active.size === 0;
      },
    ),
  );
  t.pass();
});

test('faults compose: with several faults, two are active at once somewhere', (t) => {
  const ops = schedule({ faults: ['partition', 'kill', 'clock'], nodes, intervalMs: 1000, durationMs: 60_000, seed: 11 });
  let active = 0, most = 0;
  for (const op of ops) {
    active += INJECT_OF[op.f] ? 1 : -1;
    most = Math.max(most, active);
  }
  t.true(most >= 2, `at most ${most} faults active at once`);
  t.true(ops.some((o) => o.f === 'start-partition') && ops.some((o) => o.f === 'kill'));
});

test('partition grudges in the schedule mention only cluster nodes; leader is left to invoke time', (t) => {
  const ops = schedule({ faults: ['partition'], nodes: ['n1', 'n2', 'n3'], intervalMs: 100, durationMs: 20_000, seed: 5 });
  const starts = ops.filter((o) => o.f === 'start-partition');
  t.true(starts.length > 10);
  for (const s of starts) {
    const v = s.value as { kind: string; grudge?: object };
    t.not(v.kind, 'majorities-ring'); // undefined for 3 nodes
    t.is(v.kind === 'leader', v.grudge === undefined);
  }
});

test('bad options are refused with the bad value named', (t) => {
  t.throws(() => schedule({ faults: ['nope' as Fault], nodes, intervalMs: 1, durationMs: 1, seed: 1 }), { message: /unknown fault nope/ });
  t.throws(() => schedule({ faults: ['kill'], nodes, intervalMs: 0, durationMs: 1, seed: 1 }), { message: /interval/ });
  t.throws(() => schedule({ faults: [], nodes, intervalMs: 1, durationMs: 1, seed: 1 }));
});

test('every requested fault is injected within the time limit, or the options are refused', (t) => {
  const ops = schedule({ faults: ['kill'], nodes, intervalMs: 2500, durationMs: 5000, seed: 42 });
  t.true(ops.some((op) => op.f === 'kill'), 'kill is injected in a 5 s run');
  t.throws(() => schedule({ faults: ['kill'], nodes, intervalMs: 5000, durationMs: 5000, seed: 42 }), { message: /leaves room for 0/ });
  const all = schedule({ faults: [...FAULTS], nodes, intervalMs: 1000, durationMs: 1000 * (FAULTS.length + 1), seed: 1 });
  for (const f of FAULTS) t.true(all.some((op) => INJECT_OF[op.f] === f), `${f} injected`);
});

test('the first injection of kill, pause and partition never aims at the leader (it must take effect whatever the cluster state); later ones may', (t) => {
  const faults: Fault[] = ['partition', 'kill', 'pause'];
  let laterLeader = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const seen = new Set<Fault>();
    for (const op of schedule({ faults, nodes, intervalMs: 1000, durationMs: 60_000, seed })) {
      const fault = INJECT_OF[op.f];
      if (!fault) continue;
      const v = op.value as { target?: string; kind?: string };
      const atLeader = v.target === 'leader' || v.kind === 'leader';
      if (!seen.has(fault)) {
        t.false(atLeader, `seed ${seed}: the first ${fault} aims at the leader: ${JSON.stringify(op)}`);
        seen.add(fault);
      } else if (atLeader) laterLeader++;
    }
    t.deepEqual([...seen].sort(), [...faults].sort(), `seed ${seed}`);
  }
  t.true(laterLeader > 0, 'later injections still aim at the leader sometimes');
});

test('crash kills every node at once, and only that', (t) => {
  for (let seed = 1; seed <= 50; seed++) {
    const crashes = schedule({ faults: ['crash'], nodes, intervalMs: 2000, durationMs: 30_000, seed }).filter((op) => op.f === 'crash');
    t.true(crashes.length >= 1);
    for (const op of crashes) t.deepEqual(op.value, { target: 'all', nodes });
  }
});

test("clock + partition: the leader's clock is set back only with no partition active, a heal before it gets an interval to settle (a third at the last slot), and the leader is isolated right after", (t) => {
  const intervalMs = 3000;
  let paired = 0;
  let afterHeal = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const ops = schedule({ faults: ['clock', 'partition'], nodes, intervalMs, durationMs: 60_000, seed });
    let partitioned = false;
    let lastHealMs = -Infinity;
    ops.forEach((op, i) => {
      if (op.f === 'start-partition') partitioned = true;
      if (op.f === 'stop-partition') {
        partitioned = false;
        lastHealMs = op.atMs;
      }
      const v = op.value as { target?: string } | null;
      if (op.f !== 'bump-clock' || v?.target !== 'leader') return;
      paired++;
      t.false(partitioned, `seed ${seed}: leader skewed while a partition is active: ${JSON.stringify(op)}`);
      if (op.atMs - lastHealMs <= intervalMs) {
        afterHeal++;
        t.true(op.atMs - lastHealMs >= intervalMs / 3, `seed ${seed}: leader skewed ${op.atMs - lastHealMs} ms after a heal`);
      }
      const next = ops[i + 1];
      t.is(next?.f, 'start-partition', `seed ${seed}: no partition right after the leader's skew`);
      t.deepEqual(next?.value, { kind: 'leader' });
      t.is(next!.atMs, op.atMs + 1);
    });
  }
  t.true(paired > 100, `${paired} leader skews`);
  t.true(afterHeal > 10, `${afterHeal} leader skews right after a heal`);
});

test('with partition in the mix, three clock injections in four skew the leader; without it, half', (t) => {
  const share = (faults: Fault[]) => {
    let clock = 0;
    let leader = 0;
    for (let seed = 1; seed <= 400; seed++) {
      for (const op of schedule({ faults, nodes, intervalMs: 3000, durationMs: 60_000, seed })) {
        if (op.f !== 'bump-clock' && op.f !== 'strobe-clock') continue;
        clock++;
        if ((op.value as { target?: string }).target === 'leader') leader++;
      }
    }
    return leader / clock;
  };
  const paired = share(['clock', 'partition']);
  const alone = share(['clock']);
  t.true(paired > 0.7 && paired < 0.8, `with partition: ${paired}`);
  t.true(alone > 0.45 && alone < 0.55, `alone: ${alone}`);
});
