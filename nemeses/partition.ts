// Partition nemesis: start-partition applies a grudge (given by the schedule, or drawn now for
// kind 'leader', which needs the live leader); stop-partition removes it. Docker: iptables DROP in
// the containers plus cutting live flows; local: blackholed link proxies.

import type { Op } from '../src/core/op.js';
import { awaitLeader, completed, type Nemesis, type NemesisContext } from './types.js';
import { blockedLinks, components, grudgeOf, type GrudgeKind } from './grudge.js';
import { need, type Grudge } from '../src/runtime/types.js';
import type { FaultFamily } from './family.js';
import { kindsFor } from './targets.js';

export function partitionNemesis(): Nemesis {
  let active = false;
  return {
    name: 'partition',
    fs: new Set(['start-partition', 'stop-partition']),
    async invoke(ctx: NemesisContext, op: Op): Promise<Op> {
      const names = ctx.nodes.map((n) => n.name);
      if (op.f === 'stop-partition') {
        await need(ctx.runtime, 'partition').partition({}, ctx.progress);
        active = false;
        return completed(op, { healed: true });
      }
      const v = (op.value ?? {}) as { kind?: GrudgeKind; grudge?: Grudge };
      const kind = v.kind ?? 'random-halves';
      let leader: string | undefined;
      if (kind === 'leader') {
        leader = await awaitLeader(ctx);
        if (!leader) return completed(op, { kind, leader: null, applied: false }, 'no leader to isolate');
      }
      const grudge = v.grudge ?? grudgeOf(kind, names, ctx.rng, leader);
      const rules = await need(ctx.runtime, 'partition').partition(grudge, ctx.progress);
      active = true;
      return completed(op, { kind, ...(leader ? { leader } : {}), components: components(names, grudge), cut: blockedLinks(grudge), rules });
    },
    async heal(ctx) {
      if (active) await need(ctx.runtime, 'partition').partition({}, ctx.progress);
      active = false;
    },
  };
}

export const partitionFamily: FaultFamily<'partition'> = {
  fault: 'partition',
  summary: 'network partitions of many shapes (halves, one node, the leader, bridge, ring)',
  starts: ['start-partition'],
  stop: 'stop-partition',
  ability: 'partition',
  mechanismGap: (m) => (m.partition === 'unavailable' ? (m.unavailable.partition ?? 'no partition mechanism') : null),
  sizeGap: (n) => (kindsFor(n).length === 0 ? `a partition needs at least 2 nodes (--nodes ${n})` : null),
  draw(o, rng) {
    const fits = kindsFor(o.nodes.length, o.partitionKinds);
    const sure = fits.filter((k) => k !== 'leader');
    const kind = rng.pick(o.mustTakeEffect && sure.length > 0 ? sure : fits);
    return kind === 'leader'
      ? { f: 'start-partition', value: { kind } }
      : { f: 'start-partition', value: { kind, grudge: grudgeOf(kind, o.nodes, rng) } };
  },
  nemesis: partitionNemesis,
  tookEffect: (op) => op.type === 'info' && op.error === undefined && (op.value as { applied?: boolean } | null)?.applied !== false,
};
