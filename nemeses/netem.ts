// Loss and delay nemeses on the traffic a node sends to its peers. Docker: loss by iptables
// -m statistic, delay by tc netem only where the kernel has it; local: the link proxies. The
// mechanism actually used is recorded in each completion; an unavailable one is an error, not a no-op.

import type { Op } from '../src/core/op.js';
import { need, type NetemOptions } from '../src/runtime/types.js';
import type { FaultFamily } from './family.js';
import { resolveTarget } from './targets.js';
import { completed, handleOf, type Nemesis, type NemesisContext } from './types.js';

/** One nemesis for both, because the runtime takes loss and delay of a node in one call. */
export function netemNemesis(): Nemesis {
  const loss = new Map<string, number>();
  const delay = new Map<string, { delayMs: number; jitterMs: number }>();

  const apply = async (ctx: NemesisContext, node: string) => {
    const o: NetemOptions = { lossPct: loss.get(node) ?? 0, ...(delay.get(node) ?? {}) };
    return need(ctx.runtime, 'shape').netem(handleOf(ctx, node), o, ctx.progress);
  };

  return {
    name: 'netem',
    fs: new Set(['start-loss', 'stop-loss', 'start-delay', 'stop-delay']),
    async invoke(ctx, op: Op) {
      const m = ctx.runtime.mechanisms();
      if (op.f === 'start-loss') {
        const v = op.value as { nodes: string[]; lossPct: number };
        if (!m.loss) return completed(op, { applied: false }, `loss is unavailable: ${m.unavailable.loss}`);
        const rules: string[] = [];
        for (const n of v.nodes) {
          loss.set(n, v.lossPct);
          rules.push(...(await apply(ctx, n)));
        }
        return completed(op, { nodes: v.nodes, lossPct: v.lossPct, mechanism: m.loss, rules });
      }
      if (op.f === 'start-delay') {
        const v = op.value as { nodes: string[]; delayMs: number; jitterMs: number };
        if (!m.delay) return completed(op, { applied: false }, `delay is unavailable: ${m.unavailable.delay}`);
        const rules: string[] = [];
        for (const n of v.nodes) {
          delay.set(n, { delayMs: v.delayMs, jitterMs: v.jitterMs });
          rules.push(...(await apply(ctx, n)));
        }
        return completed(op, { nodes: v.nodes, delayMs: v.delayMs, jitterMs: v.jitterMs, mechanism: m.delay, rules });
      }
      const which = op.f === 'stop-loss' ? loss : delay;
      const nodes = [...which.keys()].sort();
      which.clear();
      for (const n of nodes) await apply(ctx, n);
      return completed(op, { nodes });
    },
    async heal(ctx) {
      const nodes = new Set([...loss.keys(), ...delay.keys()]);
      loss.clear();
      delay.clear();
      for (const n of nodes) await apply(ctx, n);
    },
  };
}

export const lossFamily: FaultFamily<'loss'> = {
  fault: 'loss',
  summary: 'drop a share of the packets a minority of nodes send to their peers',
  starts: ['start-loss'],
  stop: 'stop-loss',
  ability: 'shape',
  mechanismGap: (m) => (m.loss ? null : (m.unavailable.loss ?? 'no loss mechanism')),
  draw: (o, rng) => ({ f: 'start-loss', value: { nodes: resolveTarget('minority', o.nodes, rng), lossPct: rng.pick([10, 30, 50, 100]) } }),
  nemesis: netemNemesis,
};

export const delayFamily: FaultFamily<'delay'> = {
  fault: 'delay',
  summary: 'delay (with jitter) what a minority of nodes send to their peers',
  starts: ['start-delay'],
  stop: 'stop-delay',
  ability: 'shape',
  mechanismGap: (m) => (m.delay ? null : (m.unavailable.delay ?? 'no delay mechanism')),
  draw: (o, rng) => ({
    f: 'start-delay',
    value: { nodes: resolveTarget('minority', o.nodes, rng), delayMs: rng.pick([50, 100, 500]), jitterMs: rng.pick([0, 10, 50]) },
  }),
  nemesis: netemNemesis,
};
