// Kill/restart and pause/resume nemeses: SIGKILL (docker kill / process.kill) and restart on the
// same data folder; freeze (docker pause / SIGSTOP) and thaw. Targets: one, minority, majority,
// all, or the current leader, resolved by the schedule or (leader) at invoke time. Crash/recover:
// SIGKILL every node at once and restart them all (a whole-cluster crash, as in a power loss).

import type { Op } from '../src/core/op.js';
import { need } from '../src/runtime/types.js';
import type { FaultFamily } from './family.js';
import { resolveTarget, TARGETS, type Target } from './targets.js';
import { awaitLeader, completed, handleOf, type Nemesis, type NemesisContext } from './types.js';

async function targetsOf(ctx: NemesisContext, v: { target?: Target; nodes?: string[] }): Promise<string[]> {
  if (v.nodes) return v.nodes;
  const target = v.target ?? 'one';
  if (target !== 'leader') return resolveTarget(target, ctx.nodes.map((n) => n.name), ctx.rng);
  const leader = await awaitLeader(ctx);
  return leader ? [leader] : [];
}

/** What a process fault does to one node (and how it is undone). */
type NodeStep = (ctx: NemesisContext, name: string) => Promise<void>;

function family(o: {
  name: string;
  inject: string;
  undo: string;
  apply: NodeStep;
  revert: NodeStep;
}): Nemesis {
  const affected = new Set<string>();
  const revertAll = async (ctx: NemesisContext) => {
    const names = [...affected].sort();
    await Promise.all(names.map((n) => o.revert(ctx, n)));
    affected.clear();
    return names;
  };
  return {
    name: o.name,
    fs: new Set([o.inject, o.undo]),
    async invoke(ctx, op: Op) {
      if (op.f === o.undo) return completed(op, { nodes: await revertAll(ctx) });
      const v = (op.value ?? {}) as { target?: Target; nodes?: string[] };
      const nodes = await targetsOf(ctx, v);
      if (nodes.length === 0) return completed(op, { target: v.target, nodes: [] }, 'no leader to target');
      await Promise.all(nodes.map((n) => o.apply(ctx, n)));
      for (const n of nodes) affected.add(n);
      return completed(op, { target: v.target ?? 'given', nodes });
    },
    async heal(ctx) {
      await revertAll(ctx);
    },
  };
}

const killNode: NodeStep = (ctx, n) => need(ctx.runtime, 'kill').kill(handleOf(ctx, n), ctx.progress);
const restartNode: NodeStep = (ctx, n) => need(ctx.runtime, 'kill').start(handleOf(ctx, n), ctx.progress);

export function killNemesis(): Nemesis {
  return family({
    name: 'kill',
    inject: 'kill',
    undo: 'restart',
    apply: killNode,
    revert: restartNode,
  });
}

/**
 * Whole-cluster crash: every node SIGKILLed at once, all restarted together on their data. Its own
 * nemesis (and `f` values), so it heals exactly the nodes it killed and a run that asked for it
 * knows it took effect.
 */
export function crashNemesis(): Nemesis {
  return family({
    name: 'crash',
    inject: 'crash',
    undo: 'recover',
    apply: killNode,
    revert: restartNode,
  });
}

export function pauseNemesis(): Nemesis {
  return family({
    name: 'pause',
    inject: 'pause',
    undo: 'resume',
    apply: (ctx, n) => need(ctx.runtime, 'pause').pause(handleOf(ctx, n), ctx.progress),
    revert: (ctx, n) => need(ctx.runtime, 'pause').resume(handleOf(ctx, n), ctx.progress),
  });
}

function drawTargets<F extends 'kill' | 'pause'>(f: F) {
  return (o: { nodes: readonly string[]; mustTakeEffect?: boolean }, rng: Parameters<FaultFamily['draw']>[1]) => {
    const target = rng.pick(o.mustTakeEffect ? TARGETS.filter((t) => t !== 'leader') : TARGETS);
    const value = target === 'leader' ? { target } : { target, nodes: resolveTarget(target, o.nodes, rng) };
    return { f, value };
  };
}

export const killFamily: FaultFamily<'kill'> = {
  fault: 'kill',
  summary: 'SIGKILL nodes (one, a minority, a majority, all, or the leader), restart them on the same data',
  starts: ['kill'],
  stop: 'restart',
  ability: 'kill',
  mechanismGap: () => null,
  draw: drawTargets('kill'),
  nemesis: killNemesis,
};

/**
 * Jepsen's kill with every node as the target, as a fault of its own: what a durability test
 * needs (acknowledged data that only ever lived in memory is gone from every replica at once),
 * and what `kill` draws only one time in five.
 */
export const crashFamily: FaultFamily<'crash'> = {
  fault: 'crash',
  summary: 'SIGKILL every node at once (a whole-cluster crash), restart them all on the same data',
  starts: ['crash'],
  stop: 'recover',
  ability: 'kill',
  mechanismGap: () => null,
  draw: (o) => ({ f: 'crash', value: { target: 'all', nodes: [...o.nodes] } }),
  nemesis: crashNemesis,
};

export const pauseFamily: FaultFamily<'pause'> = {
  fault: 'pause',
  summary: 'freeze nodes (SIGSTOP / docker pause), then thaw them',
  starts: ['pause'],
  stop: 'resume',
  ability: 'pause',
  mechanismGap: () => null,
  draw: drawTargets('pause'),
  nemesis: pauseNemesis,
};
