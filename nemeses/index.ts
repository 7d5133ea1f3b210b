// Builds the nemesis for a run from the requested faults and composes the families into one
// Nemesis that routes each op by f. Refuses, with the reason, a fault this runtime cannot inject.

import type { Op } from '../src/core/op.js';
import type { Runtime } from '../src/runtime/types.js';
import { unavailableOn } from './family.js';
import { FAMILIES, FAULTS, familyOf, type Fault } from './registry.js';
import { completed, type Nemesis, type NemesisContext } from './types.js';

/** Parses "--nemesis partition,kill,clock"; throws RangeError naming the bad value. */
export function parseFaults(text: string): Fault[] {
  const faults = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of faults) if (!(FAULTS as readonly string[]).includes(f)) throw new RangeError(`unknown nemesis "${f}" (allowed: ${FAULTS.join(', ')})`);
  return [...new Set(faults)] as Fault[];
}

/** Faults this runtime cannot inject (its abilities, then its mechanisms), each with a plain reason. */
export function unavailableFaults(faults: readonly Fault[], runtime: Runtime): { fault: Fault; reason: string }[] {
  const out: { fault: Fault; reason: string }[] = [];
  for (const f of faults) {
    const reason = unavailableOn(familyOf(f), runtime);
    if (reason !== null) out.push({ fault: f, reason });
  }
  return out;
}

/** One nemesis per distinct family nemesis (loss and delay share one). */
export function allNemeses(): Nemesis[] {
  return [...new Set(FAMILIES.map((f) => f.nemesis))].map((make) => make());
}

/** One nemesis that routes ops to the family handling their f; heal heals every family. */
export function compose(parts: Nemesis[] = allNemeses()): Nemesis {
  const byF = new Map<string, Nemesis>();
  for (const n of parts) for (const f of n.fs) byF.set(f, n);
  return {
    name: parts.map((p) => p.name).join('+'),
    fs: new Set(byF.keys()),
    async invoke(ctx: NemesisContext, op: Op): Promise<Op> {
      const n = byF.get(op.f);
      if (!n) return completed(op, null, `no nemesis handles f=${op.f}`);
      try {
        return await n.invoke(ctx, op);
      } catch (err) {
        // A nemesis that failed halfway may have done part of its job: the op stays info.
        return completed(op, op.value, (err as Error).message ?? String(err));
      }
    },
    async heal(ctx: NemesisContext): Promise<void> {
      // Kill/pause first back, so partition and iptables heals reach running containers.
      const errors: unknown[] = [];
      for (const n of [...parts].reverse()) await n.heal(ctx).catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new AggregateError(errors, `healing failed: ${errors.map((e) => (e as Error).message).join('; ')}`);
    },
  };
}
