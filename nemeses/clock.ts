// Clock nemesis: bump (add ±ms to chosen nodes' clocks), strobe (flip between two offsets every
// periodMs for durationMs), reset. Per node through libfaketime's offset file; the host clock is
// never touched. Where the runtime has no libfaketime it says so (UnsupportedFault) instead of
// pretending.

import type { Op } from '../src/core/op.js';
import { need } from '../src/runtime/types.js';
import type { FaultFamily } from './family.js';
import { resolveTarget } from './targets.js';
import { awaitLeader, completed, handleOf, type Nemesis, type NemesisContext } from './types.js';

export function clockNemesis(): Nemesis {
  const offsetsMs = new Map<string, number>(); // current offset of every skewed node

  const set = async (ctx: NemesisContext, node: string, offsetMs: number) => {
    await need(ctx.runtime, 'clock').skewClock(handleOf(ctx, node), offsetMs, ctx.progress);
    if (offsetMs === 0) offsetsMs.delete(node);
    else offsetsMs.set(node, offsetMs);
  };

  return {
    name: 'clock',
    fs: new Set(['bump-clock', 'strobe-clock', 'reset-clock']),
    async invoke(ctx, op: Op) {
      if (op.f === 'reset-clock') {
        const nodes = [...offsetsMs.keys()].sort();
        await need(ctx.runtime, 'clock').resetClocks(ctx.progress);
        offsetsMs.clear();
        return completed(op, { reset: nodes });
      }
      if (op.f === 'bump-clock') {
        const v = (op.value ?? {}) as { offsetsMs?: Record<string, number>; target?: 'leader'; deltaMs?: number };
        let deltas = v.offsetsMs ?? {};
        if (v.target === 'leader') {
          // The leader is only known now: a skewed leader is what lease-based reads trust.
          const leader = await awaitLeader(ctx);
          if (!leader) return completed(op, { target: 'leader', leader: null, applied: false }, 'no leader to skew');
          deltas = { [leader]: v.deltaMs ?? 0 };
        }
        const now: Record<string, number> = {};
        for (const [node, delta] of Object.entries(deltas)) {
          now[node] = (offsetsMs.get(node) ?? 0) + delta;
          await set(ctx, node, now[node]);
        }
        return completed(op, { bumpedMs: deltas, offsetsMs: now });
      }
      // strobe: blocks for durationMs (the nemesis worker is busy with it), then restores offsets.
      const v = op.value as { nodes: string[]; offsetsMs: [number, number]; periodMs: number; durationMs: number };
      const before = new Map(v.nodes.map((n) => [n, offsetsMs.get(n) ?? 0]));
      const endAt = Date.now() + v.durationMs;
      let flips = 0;
      try {
        while (Date.now() < endAt && !ctx.progress.signal.aborted) {
          const offset = v.offsetsMs[flips % 2] as number;
          for (const n of v.nodes) await set(ctx, n, offset);
          flips++;
          await new Promise((r) => setTimeout(r, Math.min(v.periodMs, Math.max(0, endAt - Date.now()))));
        }
      } finally {
        for (const [n, offset] of before) await set(ctx, n, offset);
      }
      return completed(op, { nodes: v.nodes, offsetsMs: v.offsetsMs, periodMs: v.periodMs, flips });
    },
    async heal(ctx) {
      await need(ctx.runtime, 'clock').resetClocks(ctx.progress);
      offsetsMs.clear();
    },
  };
}

export const clockFamily: FaultFamily<'clock'> = {
  fault: 'clock',
  summary: 'per-node clock skew: bumps, strobes, and setting the leader back (libfaketime; Go binaries ignore it)',
  starts: ['bump-clock', 'strobe-clock'],
  stop: 'reset-clock',
  ability: 'clock',
  mechanismGap: (m) => (m.clock ? null : (m.unavailable.clock ?? 'no clock mechanism')),
  draw(o, rng) {
    const maxMs = o.clockOffsetMsMax ?? 60_000;
    // Half the time, set the current leader's clock back: what a lease timed by the wall clock
    // trusts. With partitions in the mix, a later partition may then depose that leader while
    // it still believes its lease — the anomaly lease-based reads are known for.
    if (rng.float() < 0.5) return { f: 'bump-clock', value: { target: 'leader', deltaMs: -rng.int(Math.ceil(maxMs / 2), maxMs) } };
    const chosen = resolveTarget(rng.pick(['one', 'minority', 'majority'] as const), o.nodes, rng);
    if (rng.float() < 0.5) {
      const offsetsMs: Record<string, number> = {};
      for (const n of chosen) offsetsMs[n] = rng.int(-maxMs, maxMs);
      return { f: 'bump-clock', value: { offsetsMs } };
    }
    const durationMs = Math.max(1, Math.floor(o.intervalMs / 2));
    const periodMs = rng.int(10, Math.max(10, Math.min(1000, Math.floor(durationMs / 4))));
    return { f: 'strobe-clock', value: { nodes: chosen, offsetsMs: [0, rng.int(-maxMs, maxMs)], periodMs, durationMs } };
  },
  nemesis: clockNemesis,
  tookEffect: (op) => op.type === 'info' && op.error === undefined && (op.value as { applied?: boolean } | null)?.applied !== false,
};
