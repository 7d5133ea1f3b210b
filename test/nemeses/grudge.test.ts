// Partition shapes: each grudge has the connectivity its name promises, for 3..7 nodes and many seeds.

import test from 'ava';
import fc from 'fast-check';
import { blockedLinks, bridge, complete, components, halves, isolate, majoritiesRing, randomHalves, one } from '../../nemeses/grudge.js';
import type { Grudge } from '../../src/runtime/types.js';
import { createRng } from '../../src/core/rng.js';

const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const hears = (g: Grudge, a: string, b: string) => a === b || !(g[a] ?? []).includes(b);
const symmetric = (g: Grudge, nodes: string[]) => nodes.every((a) => nodes.every((b) => hears(g, a, b) === hears(g, b, a)));
const seen = (g: Grudge, nodes: string[], a: string) => nodes.filter((b) => hears(g, a, b));
const arb = fc.record({ n: fc.integer({ min: 3, max: 7 }), seed: fc.integer() });

test('complete: each node drops exactly the nodes outside its component', (t) => {
  t.deepEqual(complete([['n1'], ['n2', 'n3']]), { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
});

test('halves: smaller half first, the two halves cannot hear each other', (t) => {
  const g = halves(nodesOf(5));
  t.deepEqual(components(nodesOf(5), g), [['n1', 'n2'], ['n3', 'n4', 'n5']]);
  t.true(symmetric(g, nodesOf(5)));
});

test('random-halves: two components of floor(n/2) and ceil(n/2), reproducible by seed', (t) => {
  fc.assert(
    fc.property(arb, ({ n, seed }) => {
      const nodes = nodesOf(n);
      const g = randomHalves(nodes, createRng(seed));
      const sizes = components(nodes, g).map((c) => c.length).sort();
      t.deepEqual(sizes, [Math.floor(n / 2), Math.ceil(n / 2)].sort());
      t.deepEqual(randomHalves(nodes, createRng(seed)), g);
      return symmetric(g, nodes);
    }),
  );
});

test('one / isolate: exactly one node alone, the others together', (t) => {
  const g = isolate(nodesOf(3), 'n2');
  t.deepEqual(components(nodesOf(3), g), [['n1', 'n3'], ['n2']]);
  t.deepEqual(blockedLinks(g), [['n1', 'n2'], ['n2', 'n1'], ['n2', 'n3'], ['n3', 'n2']]);
  const r = one(nodesOf(5), createRng(7));
  t.is(components(nodesOf(5), r).filter((c) => c.length === 1).length, 1);
  t.throws(() => isolate(nodesOf(3), 'n9'));
});

test('majorities-ring: every node sees a majority, no two nodes see the same one (n >= 5)', (t) => {
  fc.assert(
    fc.property(fc.record({ n: fc.integer({ min: 4, max: 9 }), seed: fc.integer() }), ({ n, seed }) => {
      const nodes = nodesOf(n);
      const g = majoritiesRing(nodes, createRng(seed));
      const majority = Math.floor(n / 2) + 1;
      const views = nodes.map((a) => seen(g, nodes, a).join(','));
      const ok = nodes.every((a) => seen(g, nodes, a).length >= majority) && symmetric(g, nodes) && nodes.some((a) => (g[a] ?? []).length > 0);
      return ok && (n < 5 || new Set(views).size === n);
    }),
  );
  t.throws(() => majoritiesRing(nodesOf(3), createRng(1)), { message: /at least 4/ });
});

test('bridge: one node hears everyone, the two sides do not hear each other', (t) => {
  fc.assert(
    fc.property(arb, ({ n, seed }) => {
      const nodes = nodesOf(n);
      const g = bridge(nodes, createRng(seed));
      const bridges = nodes.filter((a) => seen(g, nodes, a).length === n);
      if (bridges.length !== 1) return false;
      const rest = nodes.filter((a) => a !== bridges[0]);
      const groups = components(rest, g).map((c) => c.length).sort();
      return symmetric(g, nodes) && groups.length === 2 && groups[0] === Math.floor((n - 1) / 2);
    }),
  );
  t.throws(() => bridge(nodesOf(2), createRng(1)));
});
