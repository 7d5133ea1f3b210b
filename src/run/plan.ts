// Stage 2 — plan: the whole run as one generator, fixed by the seed before the cluster starts:
//   phases( clients (time limit, rate) ∥ nemesis schedule,
//           nemesis: heal everything,  nemesis: wait for a leader,  clients: final reads )
// The schedule is a pure function of (faults, node names, interval, time limit, seed).

import { schedule, type ScheduledOp } from '../../nemeses/schedule.js';
import { nodeNames } from '../runtime/common.js';
import { any, onClients, onNemesis, once, phases, stagger, timeLimit, type Generator, type GenContext, type Invocation } from '../generator/index.js';
import type { RunContext } from './context.js';

/** How long final reads may take after the cluster recovered. */
export const FINAL_PHASE_MS = 30_000;

export interface RunPlan {
  schedule: ScheduledOp[];
  generator: Generator;
}

/** The scheduled nemesis ops as a generator on the nemesis thread; atMs counts from the main phase's start. */
function nemesisGenerator(ops: readonly ScheduledOp[]): Generator {
  const at = (i: number): Generator => ({
    op(ctx) {
      const next = ops[i];
      if (!next) return { kind: 'done' };
      if (!ctx.free.includes('nemesis')) return { kind: 'pending', next: at(i) };
      const { atMs, ...inv } = next;
      return { kind: 'op', thread: 'nemesis', op: { ...(inv as Invocation), timeNs: atMs * 1e6 }, next: at(i + 1) };
    },
    update: () => at(i),
  });
  return at(0);
}

/** Tells the reporters when a phase's first op is asked for. */
function phaseMarker(ctx: RunContext, name: string, gen: Generator): Generator {
  let told = false;
  const wrap = (g: Generator): Generator => ({
    op(c: GenContext) {
      if (!told) {
        told = true;
        ctx.reporter.onPhase(name);
      }
      const s = g.op(c);
      return s.kind === 'done' ? s : { ...s, next: wrap(s.next) };
    },
    update: (c, e, t) => wrap(g.update(c, e, t)),
  });
  return wrap(gen);
}

export function planRun(ctx: RunContext): RunPlan {
  const { spec, workload } = ctx;
  const plan = spec.nemesis.length
    ? schedule({ faults: spec.nemesis, nodes: nodeNames(spec.nodes), intervalMs: spec.nemesisIntervalMs, durationMs: spec.timeLimitMs, seed: ctx.streams.scheduleSeed })
    : [];
  const main = any([onClients(timeLimit(spec.timeLimitMs * 1e6, stagger(1e9 / spec.rateHz, workload.generator))), onNemesis(nemesisGenerator(plan))]);
  const generator = phases(
    phaseMarker(ctx, 'main', main),
    phaseMarker(ctx, 'heal', onNemesis(once({ f: 'heal', value: null }))),
    phaseMarker(ctx, 'recovery', onNemesis(once({ f: 'await-leader', value: spec.recoveryMs }))),
    phaseMarker(ctx, 'final', timeLimit(FINAL_PHASE_MS * 1e6, workload.final)),
  );
  return { schedule: plan, generator };
}
