// The nemesis schedule as a pure function of (faults, nodes, interval, duration, seed): a list of
// timed inject/heal ops. Every `interval` one of the requested faults is toggled (injected if it is
// not active, healed if it is), so faults overlap and compose; everything still active is healed
// at the end. Targets are drawn here from the seeded Rng, except the current leader, which only the
// running cluster knows (resolved at invoke time).

import { createRng } from '../src/core/rng.js';
import type { GrudgeKind } from './grudge.js';
import type { NemesisOp } from './family.js';
import { familyOf, FAULTS, HEAL_OF, type Fault } from './registry.js';
import { kindsFor } from './targets.js';

export { FAULTS, HEAL_OF, type Fault } from './registry.js';
export { TARGETS, resolveTarget, kindsFor, type Target } from './targets.js';
export type { NemesisOp } from './family.js';

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

/** How many fault changes fit in the time limit (one every interval, strictly inside it). */
export function slotsIn(durationMs: number, intervalMs: number): number {
  return Math.max(0, Math.ceil(durationMs / intervalMs) - 1);
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
  const slots = slotsIn(o.durationMs, o.intervalMs);
  if (o.durationMs > 0 && slots < o.faults.length) {
    throw new RangeError(`${o.faults.length} fault(s) need ${o.faults.length} change(s) inside the time limit, but ${o.durationMs} ms at one every ${o.intervalMs} ms leaves room for ${slots}`);
  }
}

/**
 * The seeded schedule: inject/heal ops at multiples of intervalMs, then a heal of all that is
 * active. Every requested fault is injected at least once: the first slots inject each of them
 * once, in a seeded order, at targets that exist whatever the cluster's state (kill and pause
 * not aimed at the leader, no leader partition); later slots toggle a random one.
 */
export function schedule(o: ScheduleOptions): ScheduledOp[] {
  checkScheduleOptions(o);
  const rng = createRng(o.seed);
  const active = new Set<Fault>();
  const out: ScheduledOp[] = [];
  const first = rng.shuffle(o.faults);
  /** A skew of the leader's clock waiting for the slot after the heal of a partition. */
  let pendingSkew: NemesisOp | null = null;
  for (let atMs = o.intervalMs; atMs < o.durationMs; atMs += o.intervalMs) {
    if (pendingSkew) {
      out.push({ atMs, ...pendingSkew } as ScheduledOp);
      out.push({ atMs: atMs + 1, f: 'start-partition', value: { kind: 'leader' } } as ScheduledOp);
      active.add('partition');
      pendingSkew = null;
      continue;
    }
    const firstOfItsKind = first.shift();
    const fault = firstOfItsKind ?? rng.pick(o.faults);
    if (active.has(fault)) {
      active.delete(fault);
      out.push({ atMs, f: HEAL_OF[fault], value: null } as ScheduledOp);
      continue;
    }
    active.add(fault);
    let op = familyOf(fault).draw(firstOfItsKind ? { ...o, mustTakeEffect: true } : o, rng);
    // With partition in the mix, a clock injection that is not a skew of the leader is drawn once
    // more: three in four then set the leader back and isolate it (below), the sequence the two
    // faults are combined for; the rest still bump or strobe random nodes.
    if (op.f !== 'bump-clock' || !('target' in op.value)) {
      if (fault === 'clock' && o.faults.includes('partition')) op = familyOf(fault).draw(firstOfItsKind ? { ...o, mustTakeEffect: true } : o, rng);
    }
    if (op.f === 'bump-clock' && 'target' in op.value && o.faults.includes('partition')) {
      // With clock and partition together, a skew of the leader's clock is followed at once by
      // isolating that leader: the sequence that makes a wall-clock lease lie (Jepsen pairs
      // clock and partition nemeses for the same reason). A partition still active is healed
      // first, in this slot, and the skew and isolation come at the next one: nodes rejoining
      // from the other side hold higher ballots / terms and depose the leader they reach, so a
      // leader skewed at the moment of healing no longer leads when it is cut off, and nothing
      // trusts its lease; the cluster needs time to settle on a leader, and the isolated leader
      // needs a window of at least one interval, in which a new leader is elected and takes
      // writes. With no next slot (or one still owed to a fault's first injection), the skew
      // comes a third of the interval after the heal.
      if (active.has('partition')) {
        active.delete('partition');
        out.push({ atMs, f: 'stop-partition', value: null } as ScheduledOp);
        if (first.length === 0 && atMs + o.intervalMs < o.durationMs) {
          pendingSkew = op;
          continue;
        }
        const at = atMs + Math.max(1, Math.min(Math.floor(o.intervalMs / 3), o.durationMs - atMs - 2));
        out.push({ atMs: at, ...op } as ScheduledOp);
        out.push({ atMs: at + 1, f: 'start-partition', value: { kind: 'leader' } } as ScheduledOp);
      } else {
        out.push({ atMs, ...op } as ScheduledOp);
        out.push({ atMs: atMs + 1, f: 'start-partition', value: { kind: 'leader' } } as ScheduledOp);
      }
      active.add('partition');
      continue;
    }
    out.push({ atMs, ...op } as ScheduledOp);
  }
  for (const fault of FAULTS) if (active.has(fault)) out.push({ atMs: o.durationMs, f: HEAL_OF[fault], value: null } as ScheduledOp);
  return out;
}
