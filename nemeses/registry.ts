// The fault registry: every `--nemesis` fault, one line each. Spec validation, the schedule, the
// composed nemesis, availability checks, the progress line and the report all read from here.

import { clockFamily } from './clock.js';
import type { FaultFamily, NemesisOp } from './family.js';
import { delayFamily, lossFamily } from './netem.js';
import { partitionFamily } from './partition.js';
import { crashFamily, killFamily, pauseFamily } from './process.js';

export const FAMILIES = [partitionFamily, killFamily, pauseFamily, crashFamily, clockFamily, lossFamily, delayFamily] as const;

export type Fault = (typeof FAMILIES)[number]['fault'];
export const FAULTS = FAMILIES.map((f) => f.fault) as readonly Fault[];

export function familyOf(fault: Fault): FaultFamily<Fault> {
  return FAMILIES.find((f) => f.fault === fault)!;
}

/** The family an `f` value belongs to (inject or heal), if any. */
export function familyOfF(f: string): FaultFamily<Fault> | undefined {
  return FAMILIES.find((x) => (x.starts as readonly string[]).includes(f) || x.stop === f);
}

/** Which f heals each fault (what the final heal-all emits). */
export const HEAL_OF = Object.fromEntries(FAMILIES.map((f) => [f.fault, f.stop])) as Record<Fault, NemesisOp['f']>;
