// The nemesis schedule as a pure function of (faults, nodes, interval, duration, seed): a list of
// timed inject/heal ops. Every `interval` one of the requested faults is toggled (injected if it is
// not active, healed if it is), so faults overlap and compose; everything still active is healed
// at the end. Targets are drawn here from the seeded Rng, except the current leader, which only the
// running cluster knows (resolved at invoke time).

import { createRng, type Rng } from '../src/core/rng.js';
import { GRUDGE_KINDS, grudgeOf, type GrudgeKind } from './grudge.js';
import type { Grudge } from '../src/runtime/types.js';

export const FAULTS = ['partition', 'kill', 'pause', 'clock', 'loss', 'delay'] as const;
export type Fault = (typeof FAULTS)[number];

export const TARGETS = ['one', 'minority', 'majority', 'all', 'leader'] as const;
export type Target = (typeof TARGETS)[number];

/** The op values of every nemesis f. `nodes` absent means "resolve `target` at invoke time". */
export type NemesisOp =
  | { f: 'start-partition'; value: { kind: GrudgeKind; grudge?: Grudge } }
  | { f: 'stop-partition'; value: null }
  | { f: 'kill'; value: { target: Target; nodes?: string[] } }
  | { f: 'restart'; value: null }
  | { f: 'pause'; value: { target: Target; nodes?: string[] } }
  | { f: 'resume'; value: null }
  | { f: 'bump-clock'; value: { offsetsMs: Record<string, number> } | { target: 'leader'; deltaMs: number } }
  | { f: 'strobe-clock'; value: { nodes: string[]; offsetsMs: [number, number]; periodMs: number; durationMs: number } }
  | { f: 'reset-clock'; value: null }
  | { f: 'start-loss'; value: { nodes: string[]; lossPct: number } }
  | { f: 'stop-loss'; value: null }
  | { f: 'start-delay'; value: { nodes: string[]; delayMs: number; jitterMs: number } }
  | { f: 'stop-delay'; value: null };

export type ScheduledOp = NemesisOp & { atMs: number };

export interface ScheduleOptions {
  faults: readonly Fault[];
  nodes: readonly string[];
  intervalMs: number;
  durationMs: number;
  seed: number;
  /** Partition shapes to draw from (default: all that fit the node count). */
  partitionKinds?: readonly GrudgeKind[];
  /** Clock offsets are drawn from ±clockOffsetMsMax (default 60 000). */
  clockOffsetMsMax?: number;
}

/** Which f heals each fault (what the final heal-all emits). */
export const HEAL_OF: Record<Fault, NemesisOp['f']> = {
  partition: 'stop-partition',
  kill: 'restart',
  pause: 'resume',
  clock: 'reset-clock',
  loss: 'stop-loss',
  delay: 'stop-delay',
};

/** Nodes for a target other than 'leader' (pure). */
export function resolveTarget(target: Exclude<Target, 'leader'>, nodes: readonly string[], rng: Rng): string[] {
  const majority = Math.floor(nodes.length / 2) + 1;
  switch (target) {
    case 'one':
      return [rng.pick(nodes)];
    case 'minority':
      return rng.sample(nodes, rng.int(1, Math.max(1, majority - 1)));
    case 'majority':
      return rng.sample(nodes, majority);
    case 'all':
      return [...nodes];
  }
}

/** Partition kinds that are defined for this many nodes. */
export function kindsFor(nodeCount: number, wanted: readonly GrudgeKind[] = GRUDGE_KINDS): GrudgeKind[] {
  return wanted.filter((k) => (k === 'majorities-ring' ? nodeCount >= 4 : k === 'bridge' ? nodeCount >= 3 : nodeCount >= 2));
}

function inject(fault: Fault, o: ScheduleOptions, rng: Rng): NemesisOp {
  const nodes = o.nodes;
  switch (fault) {
    case 'partition': {
      const kind = rng.pick(kindsFor(nodes.length, o.partitionKinds));
      return kind === 'leader'
        ? { f: 'start-partition', value: { kind } }
        : { f: 'start-partition', value: { kind, grudge: grudgeOf(kind, nodes, rng) } };
    }
    case 'kill':
    case 'pause': {
      const target = rng.pick(TARGETS);
      const value = target === 'leader' ? { target } : { target, nodes: resolveTarget(target, nodes, rng) };
      return { f: fault, value };
    }
    case 'clock': {
      const maxMs = o.clockOffsetMsMax ?? 60_000;
      // Half the time, set the current leader's clock back: what a lease timed by the wall clock
      // trusts. With partitions in the mix, a later partition may then depose that leader while
      // it still believes its lease — the anomaly lease-based reads are known for.
      if (rng.float() < 0.5) return { f: 'bump-clock', value: { target: 'leader', deltaMs: -rng.int(Math.ceil(maxMs / 2), maxMs) } };
      const chosen = resolveTarget(rng.pick(['one', 'minority', 'majority'] as const), nodes, rng);
      if (rng.float() < 0.5) {
        const offsetsMs: Record<string, number> = {};
        for (const n of chosen) offsetsMs[n] = rng.int(-maxMs, maxMs);
        return { f: 'bump-clock', value: { offsetsMs } };
      }
      const durationMs = Math.max(1, Math.floor(o.intervalMs / 2));
      const periodMs = rng.int(10, Math.max(10, Math.min(1000, Math.floor(durationMs / 4))));
      return { f: 'strobe-clock', value: { nodes: chosen, offsetsMs: [0, rng.int(-maxMs, maxMs)], periodMs, durationMs } };
    }
    case 'loss':
      return { f: 'start-loss', value: { nodes: resolveTarget('minority', nodes, rng), lossPct: rng.pick([10, 30, 50, 100]) } };
    case 'delay':
      return {
        f: 'start-delay',
        value: { nodes: resolveTarget('minority', nodes, rng), delayMs: rng.pick([50, 100, 500]), jitterMs: rng.pick([0, 10, 50]) },
      };
  }
}

/** Validates options; throws RangeError naming the bad value. */
export function checkScheduleOptions(o: ScheduleOptions): void {
  if (o.faults.length === 0) throw new RangeError('no faults to schedule');
  for (const f of o.faults) if (!FAULTS.includes(f)) throw new RangeError(`unknown fault ${f} (allowed: ${FAULTS.join(', ')})`);
  if (o.nodes.length === 0) throw new RangeError('no nodes');
  if (!(o.intervalMs > 0)) throw new RangeError(`interval must be > 0 ms, got ${o.intervalMs}`);
  if (!(o.durationMs >= 0)) throw new RangeError(`duration must be >= 0 ms, got ${o.durationMs}`);
  if (o.faults.includes('partition') && kindsFor(o.nodes.length, o.partitionKinds).length === 0) {
    throw new RangeError(`no partition kind fits ${o.nodes.length} nodes`);
  }
}

/** The seeded schedule: inject/heal ops at multiples of intervalMs, then a heal of all that is active. */
export function schedule(o: ScheduleOptions): ScheduledOp[] {
  checkScheduleOptions(o);
  const rng = createRng(o.seed);
  const active = new Set<Fault>();
  const out: ScheduledOp[] = [];
  for (let atMs = o.intervalMs; atMs < o.durationMs; atMs += o.intervalMs) {
    const fault = rng.pick(o.faults);
    if (active.has(fault)) {
      active.delete(fault);
      out.push({ atMs, f: HEAL_OF[fault], value: null } as ScheduledOp);
      continue;
    }
    active.add(fault);
    const op = inject(fault, o, rng);
    out.push({ atMs, ...op } as ScheduledOp);
    if (op.f === 'bump-clock' && 'target' in op.value && o.faults.includes('partition')) {
      // With clock and partition together, a skew of the leader's clock is followed at once by
      // isolating that leader: the sequence that makes a wall-clock lease lie (Jepsen pairs
      // clock and partition nemeses for the same reason).
      if (active.has('partition')) out.push({ atMs: atMs + 1, f: 'stop-partition', value: null } as ScheduledOp);
      out.push({ atMs: atMs + 2, f: 'start-partition', value: { kind: 'leader' } } as ScheduledOp);
      active.add('partition');
    }
  }
  for (const fault of FAULTS) if (active.has(fault)) out.push({ atMs: o.durationMs, f: HEAL_OF[fault], value: null } as ScheduledOp);
  return out;
}
