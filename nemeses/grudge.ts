// Partition shapes as pure functions: each returns a Grudge (node -> nodes whose messages it
// drops), the Jepsen representation both runtimes apply. Random variants take our seeded Rng so
// a seed reproduces the same partitions.

import type { Grudge } from '../src/runtime/types.js';
import type { Rng } from '../src/core/rng.js';

export const GRUDGE_KINDS = ['halves', 'random-halves', 'one', 'leader', 'majorities-ring', 'bridge'] as const;
export type GrudgeKind = (typeof GRUDGE_KINDS)[number];

/** Every node drops every node outside its own component. Nodes in no component are untouched. */
export function complete(components: readonly (readonly string[])[]): Grudge {
  const all = components.flat();
  const grudge: Record<string, string[]> = {};
  for (const comp of components) {
    for (const node of comp) grudge[node] = all.filter((other) => !comp.includes(other));
  }
  return grudge;
}

/** Cuts the list in two, smaller half first (Jepsen's bisect). */
export function bisect<T>(xs: readonly T[]): [T[], T[]] {
  const cut = Math.floor(xs.length / 2);
  return [xs.slice(0, cut), xs.slice(cut)];
}

/** The first floor(n/2) nodes against the rest. */
export function halves(nodes: readonly string[]): Grudge {
  return complete(bisect(nodes));
}

/** Halves of a shuffled node list. */
export function randomHalves(nodes: readonly string[], rng: Rng): Grudge {
  return complete(bisect(rng.shuffle(nodes)));
}

/** Isolates `target` from everyone else. */
export function isolate(nodes: readonly string[], target: string): Grudge {
  if (!nodes.includes(target)) throw new RangeError(`unknown node ${target}`);
  return complete([[target], nodes.filter((n) => n !== target)]);
}

/** Isolates one node chosen by rng. */
export function one(nodes: readonly string[], rng: Rng): Grudge {
  return isolate(nodes, rng.pick(nodes));
}

/**
 * Every node sees a majority (itself and its ring neighbours), but no two neighbours see the same
 * majority. Symmetric; needs at least 4 nodes (with 3, every majority ring is the whole cluster).
 */
export function majoritiesRing(nodes: readonly string[], rng: Rng): Grudge {
  const n = nodes.length;
  if (n < 4) throw new RangeError(`majorities-ring needs at least 4 nodes, got ${n}`);
  const ring = rng.shuffle(nodes);
  const majority = Math.floor(n / 2) + 1;
  const reach = Math.ceil((majority - 1) / 2); // neighbours on each side
  const grudge: Record<string, string[]> = {};
  ring.forEach((node, i) => {
    const seen = new Set<string>();
    for (let d = -reach; d <= reach; d++) seen.add(ring[(i + d + n) % n] as string);
    grudge[node] = ring.filter((x) => !seen.has(x));
  });
  return grudge;
}

/** Two halves that cannot see each other, joined by one bridge node that sees both. Needs 3+ nodes. */
export function bridge(nodes: readonly string[], rng: Rng): Grudge {
  if (nodes.length < 3) throw new RangeError(`bridge needs at least 3 nodes, got ${nodes.length}`);
  const shuffled = rng.shuffle(nodes);
  const middle = shuffled.splice(Math.floor(shuffled.length / 2), 1)[0] as string;
  const [a, b] = bisect(shuffled);
  return { ...complete([a, b]), [middle]: [] };
}

export { blockedLinks } from '../src/runtime/types.js';

/** Groups of nodes that can all hear each other both ways (for describing a partition). */
export function components(nodes: readonly string[], grudge: Grudge): string[][] {
  const hears = (a: string, b: string) => !(grudge[a] ?? []).includes(b);
  const groups: string[][] = [];
  for (const node of nodes) {
    const group = groups.find((g) => g.every((m) => hears(m, node) && hears(node, m)));
    if (group) group.push(node);
    else groups.push([node]);
  }
  return groups;
}

/** Builds the grudge of a kind; `leader` must be given for kind 'leader'. */
export function grudgeOf(kind: GrudgeKind, nodes: readonly string[], rng: Rng, leader?: string): Grudge {
  switch (kind) {
    case 'halves':
      return halves(nodes);
    case 'random-halves':
      return randomHalves(nodes, rng);
    case 'one':
      return one(nodes, rng);
    case 'leader':
      if (!leader) throw new Error('no leader known to isolate');
      return isolate(nodes, leader);
    case 'majorities-ring':
      return majoritiesRing(nodes, rng);
    case 'bridge':
      return bridge(nodes, rng);
  }
}
