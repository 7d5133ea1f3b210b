// Whom a fault hits: a target (one, minority, majority, all, or the current leader) resolved to
// node names from the seeded Rng, and which partition shapes fit a cluster size. Pure.

import type { Rng } from '../src/core/rng.js';
import { GRUDGE_KINDS, type GrudgeKind } from './grudge.js';

export const TARGETS = ['one', 'minority', 'majority', 'all', 'leader'] as const;
export type Target = (typeof TARGETS)[number];

/** Nodes for a target other than 'leader' (pure). */
export function resolveTarget(target: Exclude<Target, 'leader'>, nodes: readonly string[], rng: Rng): string[] {
  const majority = Math.floor(nodes.length / 2) + 1;
  switch (target) {
    case 'one':
      return [rng.pick(nodes)];
    case 'minority':
      return rng.sample(nodes, rng.int(1, Math.max(1, majority - 1)));
    case 'majority':
      return rng.sample(nodes, majority);
    case 'all':
      return [...nodes];
  }
}

/** Partition kinds that are defined for this many nodes. */
export function kindsFor(nodeCount: number, wanted: readonly GrudgeKind[] = GRUDGE_KINDS): GrudgeKind[] {
  return wanted.filter((k) => (k === 'majorities-ring' ? nodeCount >= 4 : k === 'bridge' ? nodeCount >= 3 : nodeCount >= 2));
}
