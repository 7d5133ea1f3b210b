// Clock nemesis: bump (add ±ms to chosen nodes' clocks), strobe (flip between two offsets every
// periodMs for durationMs), reset. Per node through libfaketime's offset file; the host clock is
// never touched. Where the runtime has no libfaketime it says so (UnsupportedFault) instead of
// pretending.

import type { Op } from '../src/core/op.js';
import { completed, handleOf, type Nemesis, type NemesisContext } from './types.js';

export function clockNemesis(): Nemesis {
  const offsetsMs = new Map<string, number>(); // current offset of every skewed node

  const set = async (ctx: NemesisContext, node: string, offsetMs: number) => {
    await ctx.runtime.skewClock(handleOf(ctx, node), offsetMs, ctx.progress);
    if (offsetMs === 0) offsetsMs.delete(node);
    else offsetsMs.set(node, offsetMs);
  };

  return {
    name: 'clock',
    fs: new Set(['bump-clock', 'strobe-clock', 'reset-clock']),
    unavailable: (m) => (m.clock ? null : (m.unavailable.clock ?? 'no clock mechanism')),
    async invoke(ctx, op: Op) {
      if (op.f === 'reset-clock') {
        const nodes = [...offsetsMs.keys()].sort();
        await ctx.runtime.resetClocks(ctx.progress);
        offsetsMs.clear();
        return completed(op, { reset: nodes });
      }
      if (op.f === 'bump-clock') {
        const v = (op.value ?? {}) as { offsetsMs?: Record<string, number>; target?: 'leader'; deltaMs?: number };
        let deltas = v.offsetsMs ?? {};
        if (v.target === 'leader') {
          // The leader is only known now: a skewed leader is what lease-based reads trust.
          const leader = await ctx.findLeader(ctx.progress.signal);
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
      await ctx.runtime.resetClocks(ctx.progress);
      offsetsMs.clear();
    },
  };
}
