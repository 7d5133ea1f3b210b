// Each --bug switch, in a targeted simulated scenario, produces the anomaly it documents; the
// same scenario without the switch does not. Several seeds per scenario, so a pass is not luck
// of one election order.

import test from 'ava';
import type { Bug } from '../../src/store/bugs.js';
import { cluster, elect, run, settle } from './helpers/sim.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function others(ids: readonly string[], id: string): string[] {
  return ids.filter((x) => x !== id);
}

/** A follower cut off from the leader is asked for a key the majority has since overwritten. */
function staleReadScenario(seed: number, bugs: Bug[]) {
  const c = cluster({ seed, bugs });
  const leader = elect(c);
  run(c, leader, { op: 'put', key: 'x', value: 'old' });
  settle(c);
  const follower = others(c.ids, leader)[0]!;
  c.net.partition([follower], others(c.ids, follower));
  const write = run(c, leader, { op: 'put', key: 'x', value: 'new' });
  const read = run(c, follower, { op: 'get', key: 'x' });
  return { write, read };
}

test('stale-read: a partitioned follower serves an overwritten value; without the bug it redirects', (t) => {
  for (const seed of SEEDS) {
    const bad = staleReadScenario(seed, ['stale-read']);
    t.true(bad.write.ok, `seed ${seed}: the newer write was acknowledged`);
    t.deepEqual(bad.read, { ok: true, value: 'old' }, `seed ${seed}: stale value read after the newer write was acknowledged`);
    const good = staleReadScenario(seed, []);
    t.true(good.write.ok);
    t.like(good.read, { ok: false, error: 'not-leader' }, `seed ${seed}`);
  }
});

/** The leader is cut off from everyone, takes a write, then a new leader takes over. */
function earlyAckScenario(seed: number, bugs: Bug[]) {
  const c = cluster({ seed, bugs });
  const old = elect(c);
  c.net.partition([old], others(c.ids, old));
  const op = c.submit(old, { op: 'put', key: 'x', value: 'lost?' });
  const fresh = elect(c, others(c.ids, old));
  run(c, fresh, { op: 'put', key: 'y', value: 1 });
  c.net.heal();
  c.runUntil(() => op.reply !== undefined, 2000);
  settle(c);
  const read = run(c, c.leader()!.id, { op: 'get', key: 'x' });
  return { ack: op.reply, read };
}

test('early-ack: a write acknowledged by a deposed leader is lost; without the bug it is never acknowledged', (t) => {
  for (const seed of SEEDS) {
    const bad = earlyAckScenario(seed, ['early-ack']);
    t.like(bad.ack, { ok: true }, `seed ${seed}: acknowledged`);
    t.deepEqual(bad.read, { ok: true, value: null }, `seed ${seed}: yet gone after the leader change`);
    const good = earlyAckScenario(seed, []);
    t.like(good.ack, { ok: false }, `seed ${seed}: not acknowledged`);
    t.deepEqual(good.read, { ok: true, value: null });
  }
});

/** Every node crashes right after an acknowledged write (power loss), then restarts. */
function noFsyncScenario(seed: number, bugs: Bug[]) {
  const c = cluster({ seed, bugs, lazyFlushTicks: 10_000 });
  const leader = elect(c);
  run(c, leader, { op: 'put', key: 'before', value: 1 });
  for (const n of c.nodes) n.disk.flush(); // an earlier periodic flush
  const write = run(c, leader, { op: 'put', key: 'x', value: 'acked' });
  for (const id of c.ids) c.crash(id);
  for (const id of c.ids) c.restart(id);
  const next = elect(c);
  return { write, before: run(c, next, { op: 'get', key: 'before' }), read: run(c, next, { op: 'get', key: 'x' }) };
}

test('no-fsync: acknowledged writes are lost when every node crashes; with fsync they survive', (t) => {
  for (const seed of SEEDS) {
    const bad = noFsyncScenario(seed, ['no-fsync']);
    t.true(bad.write.ok);
    t.deepEqual(bad.before, { ok: true, value: 1 }, `seed ${seed}: flushed data survives`);
    t.deepEqual(bad.read, { ok: true, value: null }, `seed ${seed}: the acked write is gone`);
    const good = noFsyncScenario(seed, []);
    t.true(good.write.ok);
    t.deepEqual(good.read, { ok: true, value: 'acked' }, `seed ${seed}`);
  }
});

/** The leader's wall clock jumps back while it is cut off; the majority elects and writes. */
function leaseScenario(seed: number, bugs: Bug[], skewMs: number) {
  const c = cluster({ seed, bugs });
  const old = elect(c);
  run(c, old, { op: 'put', key: 'x', value: 'old' });
  settle(c);
  c.run(5); // a heartbeat round confirms the lease
  c.net.partition([old], others(c.ids, old));
  c.node(old).skewMs = skewMs;
  const fresh = elect(c, others(c.ids, old));
  const write = run(c, fresh, { op: 'put', key: 'x', value: 'new' });
  const read = run(c, old, { op: 'get', key: 'x' });
  return { write, read };
}

test('lease-read: under clock skew a deposed leader serves a stale read; without the bug it does not', (t) => {
  for (const seed of SEEDS) {
    const bad = leaseScenario(seed, ['lease-read'], -60_000);
    t.true(bad.write.ok);
    t.deepEqual(bad.read, { ok: true, value: 'old' }, `seed ${seed}: stale read through the skewed lease`);
    const good = leaseScenario(seed, [], -60_000);
    t.true(good.write.ok);
    t.like(good.read, { ok: false }, `seed ${seed}: ReadIndex cannot confirm a deposed leader`);
    const unskewed = leaseScenario(seed, ['lease-read'], 0);
    t.like(unskewed.read, { ok: false }, `seed ${seed}: with honest clocks the lease expires in time`);
  }
});

test('ReadIndex reads on the leader see every acknowledged write', (t) => {
  for (const seed of SEEDS) {
    const c = cluster({ seed, nodes: 5 });
    const leader = elect(c);
    for (let i = 0; i < 20; i++) {
      t.true(run(c, leader, { op: 'append', key: 'l', value: i }).ok);
      t.deepEqual(run(c, leader, { op: 'get', key: 'l' }), { ok: true, value: Array.from({ length: i + 1 }, (_, j) => j) });
    }
  }
});
