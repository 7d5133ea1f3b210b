// One randomized simulation run: a client workload, a fault schedule (partitions, one-way
// cuts, crashes and restarts from disk, drops, duplicates, delays), safety checked on every
// step, then everything healed and liveness demanded: a leader commits a new write and every
// node converges to the same state, with every acknowledged append present.

import type { Bug } from '../bugs.js';
import { jsonEqual } from '../kv.js';
import type { Command } from '../kv.js';
import { SimCluster } from './cluster.js';
import type { SimOp, SimOptions } from './cluster.js';
import { SafetyChecker } from './invariants.js';
import { PaxosSafetyChecker } from './paxos-invariants.js';
import { ZabChecker } from '../zab/invariants.js';

export interface ScheduleResult {
  seed: number;
  steps: number;
  committed: number;
  leaderChanges: number;
  crashes: number;
  messages: number;
  checks: number;
}

const LIST_KEY = 'list';
const HEAL_STEPS_MAX = 3000;

/** Runs a seeded schedule; throws (with the seed in the message) on any violation. */
export function runSchedule(seed: number, steps: number, bugs: Bug[] = [], more: Pick<SimOptions, 'protocol' | 'paxosMutations' | 'raftMutations' | 'zabMutations'> = {}): ScheduleResult {
  const checker = more.protocol === 'paxos' ? new PaxosSafetyChecker() : more.protocol === 'zab' ? new ZabChecker() : new SafetyChecker();
  // Seeds vary the cluster size, compaction, fsync latency, message size and fault rate.
  const c = new SimCluster(
    { seed, bugs, ...more, nodes: seed % 2 === 0 ? 3 : 5, snapshotEntries: 16 + (seed % 48), diskLatencyTicksMax: [0, 2, 5, 10][seed % 4]!, maxEntriesPerMessage: [32, 1, 4][seed % 3]! },
    checker,
  );
  const faultRate = [0.03, 0.03, 0.08][Math.floor(seed / 3) % 3]!;
  const ops: SimOp[] = [];
  let appended = 0;
  let crashes = 0;
  try {
    for (let i = 0; i < steps; i++) {
      if (c.rng.chance(faultRate)) crashes += nemesis(c);
      if (c.rng.chance(0.4)) ops.push(c.submit(clientTarget(c), randomCommand(c, appended++)));
      c.step();
    }
    heal(c);
    const leaderId = awaitConvergence(c);
    const list = (c.node(leaderId).core!.kv.get(LIST_KEY) as unknown[] | null) ?? [];
    checkAcknowledgedAppends(list, ops);
    checkListReads(list, ops);
  } catch (err) {
    throw new Error(`sim seed ${seed}: ${(err as Error).message} (rerun with FAULTLINE_SIM_SEED=${seed})`, { cause: err });
  }
  const leader = c.leader()!.core!.status();
  return { seed, steps: c.now, committed: leader.commitIndex, leaderChanges: leader.term, crashes, messages: c.net.delivered, checks: checker.checks };
}

/** Clients mostly find the leader; some talk to whichever node they last knew. */
function clientTarget(c: SimCluster): string {
  const l = c.leader();
  return l && c.rng.chance(0.8) ? l.id : c.rng.pick(c.ids);
}

function randomCommand(c: SimCluster, n: number): Command {
  const r = c.rng.next();
  const key = `k${c.rng.int(4)}`;
  if (r < 0.4) return { op: 'append', key: LIST_KEY, value: n };
  if (r < 0.6) return { op: 'put', key, value: n };
  if (r < 0.7) return { op: 'cas', key, from: n - 1, to: n };
  if (r < 0.75) return { op: 'delete', key };
  if (r < 0.85) return { op: 'get', key: LIST_KEY };
  return { op: 'get', key };
}

/** One fault action; returns 1 if it crashed a node. */
function nemesis(c: SimCluster): number {
  const ids = c.ids;
  switch (c.rng.int(12)) {
    case 0: {
      const side = ids.filter(() => c.rng.chance(0.5));
      c.net.partition(side, ids.filter((id) => !side.includes(id)));
      return 0;
    }
    case 1:
      c.net.cutLink(c.rng.pick(ids), c.rng.pick(ids));
      return 0;
    case 2:
      c.net.heal();
      return 0;
    case 3: {
      const victim = c.rng.pick(c.up());
      if (victim) c.crash(victim.id);
      return victim ? 1 : 0;
    }
    case 7: {
      // kill -9 and restart of the leader while it takes writes: where durability bugs show.
      const leader = c.leader();
      if (!leader) return 0;
      c.crash(leader.id);
      if (c.rng.chance(0.5)) c.restart(leader.id);
      return 1;
    }
    case 8:
      // Clock skew moves only the wall clock (as libfaketime does); elections run on ticks.
      c.rng.pick(c.nodes).skewMs = c.rng.chance(0.3) ? 0 : (c.rng.next() - 0.7) * 10_000;
      return 0;
    case 9: {
      // kill -9 at a persist point: a node whose fsync is in flight dies and is restarted at
      // once, so whatever it answered before that write was durable is forgotten.
      const writing = c.up().filter((n) => n.writing !== null);
      const victim = writing.length > 0 ? c.rng.pick(writing) : c.leader();
      if (!victim) return 0;
      c.crash(victim.id);
      c.restart(victim.id);
      return 1;
    }
    case 10: {
      // The leader keeps a minority: it replicates to some nodes but cannot commit, while the
      // majority elects another leader and writes the same indexes (diverging logs, figure 8).
      const leader = c.leader();
      if (!leader) return 0;
      const side = [leader.id, ...ids.filter((id) => id !== leader.id && c.rng.chance(0.5)).slice(0, Math.floor((ids.length - 1) / 2))];
      c.net.partition(side, ids.filter((id) => !side.includes(id)));
      return 0;
    }
    case 11: {
      // Leader churn: the leader dies and comes straight back, so terms change while logs differ.
      const leader = c.leader();
      if (!leader) return 0;
      c.crash(leader.id);
      c.restart(leader.id);
      return 1;
    }
    case 4:
    case 5:
      for (const n of c.nodes) if (!n.core && c.rng.chance(0.7)) c.restart(n.id);
      return 0;
    default:
      c.net.faults = { dropRate: c.rng.next() * 0.2, duplicateRate: c.rng.next() * 0.1, delayTicksMax: 1 + c.rng.int(5) };
      return 0;
  }
}

function heal(c: SimCluster): void {
  c.net.heal();
  c.net.faults = { dropRate: 0, duplicateRate: 0, delayTicksMax: 2 };
  for (const n of c.nodes) c.restart(n.id);
}

/** Liveness: a leader commits a fresh write and every node applies exactly the same state. */
function awaitConvergence(c: SimCluster): string {
  let probe: SimOp | undefined;
  const ok = c.runUntil(() => {
    const l = c.leader();
    if (!l) return false;
    if (!probe || (probe.reply && !probe.reply.ok)) probe = c.submit(l.id, { op: 'put', key: 'probe', value: c.now });
    if (!probe.reply?.ok) return false;
    const s = l.core!.status();
    return c.nodes.every((n) => n.core!.status().lastApplied === s.commitIndex && n.core!.status().term === s.term);
  }, HEAL_STEPS_MAX);
  if (!ok) throw new Error(`liveness: no convergence within ${HEAL_STEPS_MAX} steps after healing`);
  const states = c.nodes.map((n) => JSON.stringify(n.core!.kv.snapshot().sort(([a], [b]) => (a < b ? -1 : 1))));
  if (new Set(states).size !== 1) throw new Error('convergence: nodes applied the same index but hold different states');
  return c.leader()!.id;
}

/**
 * Durability and honest failures: every acknowledged append is in the final list exactly once,
 * and an append answered with a definite failure is not in it at all.
 */
function checkAcknowledgedAppends(list: unknown[], ops: SimOp[]): void {
  const counts = new Map<unknown, number>();
  for (const v of list) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const op of ops) {
    if (op.cmd.op !== 'append' || !op.reply) continue;
    const n = counts.get(op.cmd.value) ?? 0;
    const value = JSON.stringify(op.cmd.value);
    if (op.reply.ok && n !== 1) throw new Error(`durability: acknowledged append ${value} appears ${n} times in the final list`);
    if (!op.reply.ok && op.reply.definite && n !== 0) throw new Error(`append ${value} failed definitely (${op.reply.error}) yet appears ${n} times`);
  }
}

/**
 * Linearizable reads of an append-only list: every successful read is a prefix of the final
 * list and contains every append acknowledged before the read was submitted.
 */
function checkListReads(list: unknown[], ops: SimOp[]): void {
  const acked = ops.filter((o) => o.cmd.op === 'append' && o.reply?.ok).sort((a, b) => a.answeredSeq! - b.answeredSeq!);
  for (const read of ops) {
    if (read.cmd.op !== 'get' || read.cmd.key !== LIST_KEY || !read.reply?.ok) continue;
    const seen = (read.reply.value as unknown[] | null) ?? [];
    if (!jsonEqual(seen, list.slice(0, seen.length))) throw new Error(`linearizability: a read returned ${JSON.stringify(seen)}, not a prefix of the final list`);
    const has = new Set(seen);
    for (const a of acked) {
      if (a.answeredSeq! > read.submittedSeq) break;
      const value = (a.cmd as { value: unknown }).value;
      if (!has.has(value)) throw new Error(`linearizability: a read on ${read.node} misses append ${JSON.stringify(value)} acknowledged before it began (stale read)`);
    }
  }
}
