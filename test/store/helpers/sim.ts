// Helpers for targeted simulator scenarios: elect a leader, run a command to its answer.

import type { Command } from '../../../src/store/kv.js';
import type { Reply } from '../../../src/store/replica.js';
import { SimCluster } from '../../../src/store/sim/cluster.js';
import type { SimOptions } from '../../../src/store/sim/cluster.js';

export const STEPS_MAX = 2000;

export function cluster(opts: Partial<SimOptions> & { seed: number }): SimCluster {
  return new SimCluster({ nodes: 3, ...opts });
}

/** Runs until some node leads with its term's no-op applied; returns its id. */
export function elect(c: SimCluster, among: readonly string[] = c.ids): string {
  const ok = c.runUntil(() => {
    const l = leaderAmong(c, among);
    return l !== undefined && c.node(l).core!.status().lastApplied === c.node(l).core!.status().commitIndex && committedInTerm(c, l);
  }, STEPS_MAX);
  if (!ok) throw new Error(`no leader among ${among.join(',')} within ${STEPS_MAX} steps`);
  return leaderAmong(c, among)!;
}

function leaderAmong(c: SimCluster, among: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestTerm = -1;
  for (const id of among) {
    const s = c.node(id).core?.status();
    if (s?.role === 'leader' && s.term > bestTerm) {
      best = id;
      bestTerm = s.term;
    }
  }
  return best;
}

function committedInTerm(c: SimCluster, id: string): boolean {
  const core = c.node(id).core!;
  const s = core.status();
  return core.termAt(s.commitIndex) === s.term;
}

/** Submits a command and steps until it is answered (or throws after STEPS_MAX steps). */
export function run(c: SimCluster, node: string, cmd: Command, maxSteps = STEPS_MAX): Reply {
  const op = c.submit(node, cmd);
  if (!c.runUntil(() => op.reply !== undefined, maxSteps)) throw new Error(`${cmd.op} at ${node} got no answer in ${maxSteps} steps`);
  return op.reply!;
}

/** Steps until every running node has applied everything the leader committed. */
export function settle(c: SimCluster): void {
  const ok = c.runUntil(() => {
    const l = c.leader();
    if (!l) return false;
    const commit = l.core!.status().commitIndex;
    return c.up().every((n) => n.core!.status().lastApplied === commit);
  }, STEPS_MAX);
  if (!ok) throw new Error('cluster did not settle');
}
