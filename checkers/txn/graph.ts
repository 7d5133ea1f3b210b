// The dependency graph of a transactional history, packed for millions of transactions:
// edges are appended to growable Int32Arrays, then frozen into CSR (compressed sparse rows).
// Each edge carries a kind bit (ww, wr, rw, realtime, process) and two provenance slots
// (append ids) so a cycle can be explained in words.
//
// Hand-written (no npm graph library keeps per-edge payloads in typed arrays, runs Tarjan
// without recursion, and restricts every walk to a kind mask): Tarjan's SCC algorithm
// (Tarjan 1972) in its iterative form with an explicit stack, and breadth-first search for the
// shortest cycle through a given edge.

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const RT = 8;
export const PROC = 16;
export type EdgeKind = 'ww' | 'wr' | 'rw' | 'realtime' | 'process';
export const KIND_NAMES: Record<number, EdgeKind> = { [WW]: 'ww', [WR]: 'wr', [RW]: 'rw', [RT]: 'realtime', [PROC]: 'process' };

class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
}

/** Collects edges, then freezes into a CSR graph. */
export class GraphBuilder {
  private from = new IntList();
  private to = new IntList();
  private kind = new IntList();
  private a = new IntList();
  private b = new IntList();
  nodeCount: number;
  constructor(nodeCount: number) {
    this.nodeCount = nodeCount;
  }
  /** Adds a node (e.g. a realtime barrier), returning its id. */
  addNode(): number {
    return this.nodeCount++;
  }
  add(from: number, to: number, kind: number, a = -1, b = -1): void {
    if (from === to) return;
    this.from.push(from);
    this.to.push(to);
    this.kind.push(kind);
    this.a.push(a);
    this.b.push(b);
  }
  get edgeCount(): number {
    return this.from.length;
  }
  freeze(): Graph {
    const n = this.nodeCount;
    const m = this.from.length;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) start[this.from.data[i]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const target = new Int32Array(m);
    const kind = new Uint8Array(m);
    const a = new Int32Array(m);
    const b = new Int32Array(m);
    const source = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const f = this.from.data[i]!;
      const slot = fill[f]!++;
      target[slot] = this.to.data[i]!;
      kind[slot] = this.kind.data[i]!;
      a[slot] = this.a.data[i]!;
      b[slot] = this.b.data[i]!;
      source[slot] = f;
    }
    return { n, m, start, target, kind, a, b, source };
  }
}

export interface Graph {
  n: number;
  m: number;
  /** Out-edges of node v are slots start[v] .. start[v+1]-1. */
  start: Int32Array;
  target: Int32Array;
  source: Int32Array;
  kind: Uint8Array;
  a: Int32Array;
  b: Int32Array;
}

/**
 * Strongly connected components using only edges whose kind is in `mask` (iterative Tarjan).
 * Returns comp[v] (component id) and the components with at least two nodes.
 */
export function tarjan(g: Graph, mask: number): { comp: Int32Array; nontrivial: number[][] } {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callV = new Int32Array(n);
  const callE = new Int32Array(n);
  let cp = 0;
  let counter = 0;
  let compCount = 0;
  const nontrivial: number[][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    callV[0] = root;
    callE[0] = g.start[root]!;
    cp = 1;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (cp > 0) {
      const v = callV[cp - 1]!;
      const e = callE[cp - 1]!;
      if (e < g.start[v + 1]!) {
        callE[cp - 1] = e + 1;
        if ((g.kind[e]! & mask) === 0) continue;
        const w = g.target[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callV[cp] = w;
          callE[cp] = g.start[w]!;
          cp++;
        } else if (onStack[w]) {
          if (index[w]! < low[v]!) low[v] = index[w]!;
        }
        continue;
      }
      // v is finished
      cp--;
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = compCount;
          members.push(w);
        } while (w !== v);
        if (members.length > 1) nontrivial.push(members);
        compCount++;
      }
      if (cp > 0) {
        const parent = callV[cp - 1]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { comp, nontrivial };
}

/** Reusable BFS scratch space (stamps avoid clearing per search). */
export class Bfs {
  private stamp: Int32Array;
  private parentEdge: Int32Array;
  private queue: Int32Array;
  private round = 0;
  constructor(private g: Graph) {
    this.stamp = new Int32Array(g.n);
    this.parentEdge = new Int32Array(g.n);
    this.queue = new Int32Array(g.n);
  }
  /**
   * Shortest path from `from` to `to` using edges of kinds in `mask`, staying inside component
   * `compId` of `comp`. Returns the edge slots of the path, or null.
   */
  path(from: number, to: number, mask: number, comp: Int32Array, compId: number, rank?: Int32Array): number[] | null {
    const g = this.g;
    // With topological ranks of the mask's (acyclic) subgraph, a path from `from` to `to` only
    // visits ranks between theirs.
    if (rank && rank[from]! > rank[to]!) return null;
    const maxRank = rank ? rank[to]! : 0;
    const r = ++this.round;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = from;
    this.stamp[from] = r;
    this.parentEdge[from] = -1;
    while (head < tail) {
      const v = this.queue[head++]!;
      if (v === to) break;
      for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
        if ((g.kind[e]! & mask) === 0) continue;
        const w = g.target[e]!;
        if (this.stamp[w] === r || comp[w] !== compId) continue;
        if (rank && rank[w]! > maxRank) continue;
        this.stamp[w] = r;
        this.parentEdge[w] = e;
        this.queue[tail++] = w;
      }
    }
    if (this.stamp[to] !== r) return null;
    const out: number[] = [];
    for (let v = to; v !== from; ) {
      const e = this.parentEdge[v]!;
      out.push(e);
      v = g.source[e]!;
    }
    return out.reverse();
  }
}

/**
 * Topological ranks of the subgraph of edges in `mask` (Kahn's algorithm), or null when that
 * subgraph has a cycle.
 */
export function topoRanks(g: Graph, mask: number): Int32Array | null {
  const indeg = new Int32Array(g.n);
  for (let e = 0; e < g.m; e++) if (g.kind[e]! & mask) indeg[g.target[e]!]!++;
  const queue = new Int32Array(g.n);
  let tail = 0;
  for (let v = 0; v < g.n; v++) if (indeg[v] === 0) queue[tail++] = v;
  const rank = new Int32Array(g.n);
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    rank[v] = head;
    for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
      if (!(g.kind[e]! & mask)) continue;
      const w = g.target[e]!;
      if (--indeg[w]! === 0) queue[tail++] = w;
    }
  }
  return tail === g.n ? rank : null;
}
