// A fault family: everything about one `--nemesis` fault in one record — its name, the `f` values
// that inject and heal it, the runtime ability it needs, why it is unavailable, the seeded draw
// of one injection for the schedule, the nemesis that carries it out, and whether a completed
// injection took effect. The registry (registry.ts) lists the families; schedule, spec
// validation, the progress line and the report read from it. Adding a fault = one family (in its
// nemesis file) + one registry line + the runtime methods of its ability.

import type { Op } from '../src/core/op.js';
import type { Rng } from '../src/core/rng.js';
import type { Ability, FaultMechanisms, Grudge, Runtime } from '../src/runtime/types.js';
import { has } from '../src/runtime/types.js';
import type { GrudgeKind } from './grudge.js';
import type { Target } from './targets.js';
import type { Nemesis } from './types.js';

/** The op values of every nemesis f. `nodes` absent means "resolve `target` at invoke time". */
export type NemesisOp =
  | { f: 'start-partition'; value: { kind: GrudgeKind; grudge?: Grudge } }
  | { f: 'stop-partition'; value: null }
  | { f: 'kill'; value: { target: Target; nodes?: string[] } }
  | { f: 'restart'; value: null }
  | { f: 'crash'; value: { target: 'all'; nodes: string[] } }
  | { f: 'recover'; value: null }
  | { f: 'pause'; value: { target: Target; nodes?: string[] } }
  | { f: 'resume'; value: null }
  | { f: 'bump-clock'; value: { offsetsMs: Record<string, number> } | { target: 'leader'; deltaMs: number } }
  | { f: 'strobe-clock'; value: { nodes: string[]; offsetsMs: [number, number]; periodMs: number; durationMs: number } }
  | { f: 'reset-clock'; value: null }
  | { f: 'start-loss'; value: { nodes: string[]; lossPct: number } }
  | { f: 'stop-loss'; value: null }
  | { f: 'start-delay'; value: { nodes: string[]; delayMs: number; jitterMs: number } }
  | { f: 'stop-delay'; value: null };

/** What a draw may depend on (all fixed before the run: the schedule is a pure function of them). */
export interface DrawOptions {
  nodes: readonly string[];
  intervalMs: number;
  partitionKinds?: readonly GrudgeKind[];
  clockOffsetMsMax?: number;
  /**
   * This draw is the fault's first injection, the one the run needs to take effect: no target
   * that may find nobody to hit (the leader, during an election or with a majority down).
   */
  mustTakeEffect?: boolean;
}

export interface FaultFamily<F extends string = string> {
  /** The name on the command line (`--nemesis`). */
  readonly fault: F;
  /** One line for help and the report. */
  readonly summary: string;
  /** The `f` values that inject this fault. */
  readonly starts: readonly NemesisOp['f'][];
  /** The `f` value that heals it. */
  readonly stop: NemesisOp['f'];
  /** The runtime ability it needs. */
  readonly ability: Ability;
  /** Why it cannot run on a runtime with these mechanisms, or null. */
  mechanismGap(m: FaultMechanisms): string | null;
  /** Why this family cannot run on this cluster size, or null (checked before the run). */
  sizeGap?(nodeCount: number): string | null;
  /** One seeded injection (the schedule's draw). */
  draw(o: DrawOptions, rng: Rng): NemesisOp;
  /** The nemesis that injects and heals it (families sharing one return the same factory). */
  readonly nemesis: () => Nemesis;
  /** Whether a completed injection of this family did something (default: no error, not `applied: false`, a non-empty node set if it names one). */
  tookEffect?(completion: Op): boolean;
}

/** Why `family` cannot run on `runtime`, or null: first the ability, then the mechanism. */
export function unavailableOn(family: FaultFamily, runtime: Runtime): string | null {
  if (!has(runtime, family.ability)) return `the ${runtime.kind} runtime has no ${family.ability} ability`;
  return family.mechanismGap(runtime.mechanisms());
}

/** The default reading of an injection's completion. */
export function defaultTookEffect(op: Op): boolean {
  if (op.type !== 'info' || op.error !== undefined) return false;
  const v = op.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object') return true;
  if (v.applied === false) return false;
  if (Array.isArray(v.nodes) && v.nodes.length === 0) return false;
  return true;
}
