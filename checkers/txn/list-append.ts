// The list-append transactional checker: Adya's direct serialization graph (Adya, Liskov &
// O'Neil 2000) inferred as the Elle paper describes (Kingsbury & Alvaro, VLDB 2020) — written from
// the papers, not from Elle's code.
//
// 1. Appended values are unique per key, so every element read names the transaction that
//    appended it (its writer). Reads of a key must all be prefixes of one list, the key's version
//    order; the longest read is that order.
// 2. Non-cycle anomalies: garbage reads (an element nobody appended), duplicate appends (an element
//    twice in one read), G1a (an element of a failed transaction), G1b (a read ending in a
//    transaction's non-final append to the key), internal inconsistency (a transaction's reads
//    disagree with its own earlier reads and appends, or it reads its own future append),
//    incompatible orders (reads that are not prefixes of one list, or one transaction's appends
//    that are not contiguous and in order in it).
// 3. Edges between committed transactions (ok, or info with an append observed):
//    ww: writers of consecutive elements; and the writer of the last observed element precedes
//        every committed append never observed (were it earlier, the longest read would show it);
//    wr: the writer of a read's last element precedes the reader;
//    rw: a reader precedes the writer of the element after what it read (and, when it read the
//        whole known list, every committed append never observed);
//    realtime: T1 completed before T2 was invoked — through barrier nodes, so the edge count stays
//        linear (T1 → barrier → … → barrier → T2 instead of a quadratic set);
//    process: consecutive transactions of one process.
//    A transaction's reads are taken "externally" (its first read of a key, minus its own
//    appends before it); later reads only feed the internal-consistency check.
// 4. Strongly connected components (iterative Tarjan) over the edge kinds the consistency model
//    constrains; in each, the shortest cycle through candidate edges (BFS), classified: G0 (only
//    ww), G1c (ww + wr), G-single (exactly one rw), G2-item (two or more rw), each with a
//    -process / -realtime suffix when it needs those edges.
// Each anomaly comes with words and a small graph (transactions, edges with kinds) for the report.

import { type CheckOptions, type CheckResult, type Validity } from '../../src/core/validity.js';
import type { Op } from '../../src/core/op.js';
import { Bfs, GraphBuilder, KIND_NAMES, PROC, RT, RW, tarjan, topoRanks, WR, WW, type EdgeKind, type Graph } from './graph.js';
import { isRead, norm, parseTxns, show, showMops, type Txn } from './history.js';
import {
  edgeMaskOf,
  everyCycleForbidden,
  forbiddenBy,
  type AnomalyKind,
  type ConsistencyModel,
  type CycleBase,
  type CycleKind,
} from './models.js';

export interface ListAppendOptions extends CheckOptions {
  /** The model the history is held to (default strict-serializable, as Elle's default). */
  consistencyModel?: ConsistencyModel;
  /** Examples kept per anomaly kind (default 8); counts are always complete. */
  maxExamples?: number;
}

export interface TxnRef {
  /** "T<invoke index>". */
  name: string;
  index: number;
  completionIndex?: number;
  process: Op['process'];
  status: 'ok' | 'fail' | 'info';
  /** Micro-ops as text: [append 5 3] [r 5 [1 2 3]]. */
  mops: string;
}

export interface AnomalyEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** "T1 < T2 because …". */
  text: string;
}

export interface Anomaly {
  kind: AnomalyKind;
  /** Whether the consistency model forbids it. */
  forbidden: boolean;
  /** The whole anomaly in words. */
  text: string;
  txns: TxnRef[];
  /** For cycles: nodes and edges to draw; the edges in cycle order. */
  graph?: { nodes: TxnRef[]; edges: AnomalyEdge[] };
}

export interface ListAppendResult extends CheckResult {
  valid: Validity;
  consistencyModel: ConsistencyModel;
  /** Every anomaly kind found, forbidden or not. */
  anomalyTypes: AnomalyKind[];
  /** The kinds found that the model forbids (non-empty iff invalid). */
  forbidden: AnomalyKind[];
  counts: Partial<Record<AnomalyKind, number>>;
  /** Examples, up to maxExamples per kind, shortest cycles first. */
  anomalies: Anomaly[];
  /** Why the verdict is unknown (empty otherwise). */
  unknownReasons: string[];
  /** Notes on what was not inferred (still sound, possibly less complete). */
  notes: string[];
  stats: { txns: number; ok: number; fail: number; info: number; skipped: Record<string, number>; keys: number; nodes: number; edges: number; sccs: number; ms: number };
}

const DEFAULT_BUDGET_MS = 60_000;
/** Candidate edges tried per cycle kind per component, when the verdict does not depend on finding it. */
const EXPLAIN_TRIES = 64;
/** Most reader → unobserved-append rw edges added per key (the pairs are quadratic). */
const MAX_TAIL_EDGES_PER_KEY = 100_000;

interface KeyState {
  key: unknown;
  byValue: Map<unknown, number>;
  /** Append ids of this key in the order appended by the history's transactions. */
  appends: number[];
  /** Reads by ok transactions: [txn, mop index], in history order. */
  reads: number[];
  /** External reads: txn, length read, append id of the last element (-1 for empty). */
  ext: number[];
  order: unknown[];
  /** Append ids of the order's elements (-1: garbage). */
  orderIds: Int32Array;
  compatible: boolean;
}

/** Per append id (typed arrays, sized up front: millions of appends, nothing for the GC to scan). */
class Appends {
  count = 0;
  txn: Int32Array;
  key: Int32Array;
  j: Int32Array;
  last: Int32Array;
  value: unknown[];
  pos: Int32Array;
  observed: Uint8Array;
  constructor(n: number) {
    this.txn = new Int32Array(n);
    this.key = new Int32Array(n);
    this.j = new Int32Array(n);
    this.last = new Int32Array(n);
    this.value = new Array<unknown>(n);
    this.pos = new Int32Array(n).fill(-1);
    this.observed = new Uint8Array(n);
  }
}

/** Checks a list-append history against a consistency model (synchronous). */
export function checkListAppend(history: readonly Op[], options: ListAppendOptions = {}): ListAppendResult {
  const started = performance.now();
  const deadline = started + (options.budgetMs ?? DEFAULT_BUDGET_MS);
  const model = options.consistencyModel ?? 'strict-serializable';
  const forbidden = forbiddenBy(model);
  const maxExamples = options.maxExamples ?? 8;
  const { txns, skipped } = parseTxns(history);
  const unknownReasons: string[] = [];
  const notes: string[] = [];
  const counts: Partial<Record<AnomalyKind, number>> = {};
  const examples = new Map<AnomalyKind, Anomaly[]>();

  const ref = (t: Txn): TxnRef => ({
    name: `T${t.invoke.index}`,
    index: t.invoke.index,
    ...(t.completion ? { completionIndex: t.completion.index } : {}),
    process: t.invoke.process,
    status: t.status,
    mops: showMops(t),
  });
  const report = (kind: AnomalyKind, text: string, involved: Txn[], graph?: Anomaly['graph']): void => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    let list = examples.get(kind);
    if (!list) examples.set(kind, (list = []));
    if (list.length < maxExamples) list.push({ kind, forbidden: forbidden.has(kind), text, txns: involved.map(ref), ...(graph ? { graph } : {}) });
  };

  // --- appends and keys -----------------------------------------------------------------------
  const keys: KeyState[] = [];
  const keyIndex = new Map<unknown, number>();
  const keyOf = (k: unknown): number => {
    const n = norm(k);
    let i = keyIndex.get(n);
    if (i === undefined) {
      i = keys.length;
      keyIndex.set(n, i);
      keys.push({ key: k, byValue: new Map(), appends: [], reads: [], ext: [], order: [], orderIds: new Int32Array(0), compatible: true });
    }
    return i;
  };
  let appendCount = 0;
  for (const t of txns) for (const m of t.mops) if (!isRead(m)) appendCount++;
  const ap = new Appends(appendCount);
  const duplicates: string[] = [];
  const mineIds: number[] = []; // this transaction's append ids, for `j` and `last`
  for (const t of txns) {
    mineIds.length = 0;
    for (let mi = 0; mi < t.mops.length; mi++) {
      const m = t.mops[mi]!;
      const ki = keyOf(m[1]);
      const ks = keys[ki]!;
      if (isRead(m)) {
        if (t.status === 'ok') ks.reads.push(t.id, mi);
        continue;
      }
      const v = norm(m[2]);
      if (ks.byValue.has(v)) {
        duplicates.push(`${show(m[2])} to key ${show(m[1])} (T${txns[ap.txn[ks.byValue.get(v)!]!]!.invoke.index} and T${t.invoke.index})`);
        continue;
      }
      const id = ap.count++;
      let j = 0;
      for (const other of mineIds) if (ap.key[other] === ki) j++;
      ap.txn[id] = t.id;
      ap.key[id] = ki;
      ap.j[id] = j;
      ap.value[id] = m[2];
      mineIds.push(id);
      ks.byValue.set(v, id);
      ks.appends.push(id);
    }
    for (const id of mineIds) {
      let last = 0;
      for (const other of mineIds) if (ap.key[other] === ap.key[id]) last = Math.max(last, ap.j[other]!);
      ap.last[id] = last;
    }
  }
  if (duplicates.length > 0) {
    unknownReasons.push(`list-append needs every appended value unique per key; appended twice: ${duplicates.slice(0, 3).join('; ')}${duplicates.length > 3 ? ` and ${duplicates.length - 3} more` : ''}`);
  }
  const writerOf = (id: number): Txn => txns[ap.txn[id]!]!;

  // --- reads: garbage, duplicates, G1a, version orders ------------------------------------------
  const readStamp = new Int32Array(ap.count);
  let readNo = 0;
  const listOf = (t: Txn, mi: number): unknown[] => (t.mops[mi]![2] as unknown[] | null) ?? [];
  for (const ks of keys) {
    let longest: unknown[] = [];
    let longestAt = -1;
    for (let r = 0; r < ks.reads.length; r += 2) {
      const t = txns[ks.reads[r]!]!;
      const list = listOf(t, ks.reads[r + 1]!);
      const stamp = ++readNo;
      let dup = false;
      let garbage: unknown;
      let aborted = -1;
      for (const x of list) {
        const id = ks.byValue.get(norm(x));
        if (id === undefined) garbage ??= x;
        else {
          if (readStamp[id] === stamp) dup = true;
          readStamp[id] = stamp;
          ap.observed[id] = 1;
          if (writerOf(id).status === 'fail' && aborted < 0) aborted = id;
        }
      }
      if (garbage !== undefined) report('garbage-read', `T${t.invoke.index} read key ${show(ks.key)} = ${show(list)}, but no transaction appended ${show(garbage)} to key ${show(ks.key)}`, [t]);
      if (dup) report('duplicate-appends', `T${t.invoke.index} read key ${show(ks.key)} = ${show(list)}, which holds an element more than once: an append took effect twice`, [t]);
      if (aborted >= 0) report('G1a', `T${t.invoke.index} read key ${show(ks.key)} = ${show(list)}, which holds ${show(ap.value[aborted])}, appended by T${writerOf(aborted).invoke.index}, which failed (aborted read)`, [t, writerOf(aborted)]);
      if (list.length > longest.length) {
        longest = list;
        longestAt = r;
      }
    }
    // Every read must be a prefix of the longest.
    for (let r = 0; r < ks.reads.length; r += 2) {
      const t = txns[ks.reads[r]!]!;
      const list = listOf(t, ks.reads[r + 1]!);
      let ok = true;
      for (let i = 0; i < list.length; i++) if (norm(list[i]) !== norm(longest[i])) { ok = false; break; }
      if (!ok) {
        ks.compatible = false;
        const other = txns[ks.reads[longestAt]!]!;
        report('incompatible-order', `key ${show(ks.key)}: T${t.invoke.index} read ${show(list)} and T${other.invoke.index} read ${show(longest)}; neither is a prefix of the other, so no single order of appends explains both`, [t, other]);
      }
    }
    ks.order = longest;
    ks.orderIds = new Int32Array(longest.length);
    for (let i = 0; i < longest.length; i++) {
      const id = ks.byValue.get(norm(longest[i]));
      ks.orderIds[i] = id ?? -1;
      if (id !== undefined && ap.pos[id] === -1) ap.pos[id] = i;
    }
    // One transaction's appends to a key must appear together and in its order.
    if (ks.compatible) {
      for (let i = 0; i < longest.length; i++) {
        const id = ks.orderIds[i]!;
        if (id < 0) continue;
        const prev = i > 0 ? ks.orderIds[i - 1]! : -1;
        const next = i + 1 < longest.length ? ks.orderIds[i + 1]! : -2;
        const w = ap.txn[id]!;
        const badPrev = ap.j[id]! > 0 && !(prev >= 0 && ap.txn[prev] === w && ap.j[prev] === ap.j[id]! - 1);
        const badNext = ap.j[id]! < ap.last[id]! && next !== -2 && !(next >= 0 && ap.txn[next] === w && ap.j[next] === ap.j[id]! + 1);
        if (badPrev || badNext) {
          ks.compatible = false;
          const t = writerOf(id);
          const own = ks.appends.filter((a) => ap.txn[a] === w).map((a) => show(ap.value[a]));
          report('incompatible-order', `key ${show(ks.key)}: T${t.invoke.index} appended ${own.join(' then ')}, but the key's observed order ${show(longest)} does not hold them together in that order`, [t]);
          break;
        }
      }
    }
  }

  // --- committed transactions ---------------------------------------------------------------------
  const committed = new Uint8Array(txns.length);
  for (const t of txns) if (t.status === 'ok') committed[t.id] = 1;
  for (let id = 0; id < ap.count; id++) if (ap.observed[id] && writerOf(id).status === 'info') committed[ap.txn[id]!] = 1;

  // --- internal consistency and external reads ----------------------------------------------------
  // Per transaction, per key touched: the last list read (by reference) and the appends since it
  // (no copies: most transactions touch a key once). Parallel small arrays instead of a Map.
  const tKeys: number[] = [];
  const tRead: (unknown[] | null)[] = [];
  const tSince: unknown[][] = [];
  const expected = (i: number): unknown[] => [...(tRead[i] ?? []), ...tSince[i]!];
  for (const t of txns) {
    if (t.status !== 'ok') continue;
    tKeys.length = 0;
    tRead.length = 0;
    tSince.length = 0;
    for (let mi = 0; mi < t.mops.length; mi++) {
      const m = t.mops[mi]!;
      const ki = keyOf(m[1]);
      let si = tKeys.indexOf(ki);
      if (si < 0) {
        si = tKeys.length;
        tKeys.push(ki);
        tRead.push(null);
        tSince.push([]);
      }
      if (!isRead(m)) {
        tSince[si]!.push(m[2]);
        continue;
      }
      const list = listOf(t, mi);
      const ks = keys[ki]!;
      const prior = tRead[si];
      const since = tSince[si]!;
      if (prior !== null) {
        // a later read: must be the earlier read plus the appends since
        let same = list.length === prior!.length + since.length;
        for (let i = 0; same && i < list.length; i++) same = norm(list[i]) === norm(i < prior!.length ? prior![i] : since[i - prior!.length]);
        if (!same) report('internal', `T${t.invoke.index} read key ${show(m[1])} = ${show(list)}, but its own earlier reads and appends make it ${show(expected(si))}`, [t]);
        tRead[si] = list;
        tSince[si] = [];
        continue;
      }
      tRead[si] = list;
      tSince[si] = [];
      // the first read: its own earlier appends must end it; the rest is what it saw of others
      const n = since.length;
      const extLen = list.length - n;
      let tailOk = extLen >= 0;
      for (let i = 0; tailOk && i < n; i++) tailOk = norm(list[extLen + i]) === norm(since[i]);
      if (!tailOk) {
        report('internal', `T${t.invoke.index} read key ${show(m[1])} = ${show(list)} after appending ${show(since)} to it, but the read does not end with those appends`, [t]);
        continue;
      }
      let future: unknown;
      let appendsLater = false;
      for (let j = mi + 1; j < t.mops.length; j++) if (!isRead(t.mops[j]!) && norm(t.mops[j]![1]) === norm(m[1])) appendsLater = true;
      for (let i = 0; appendsLater && i < extLen; i++) {
        const id = ks.byValue.get(norm(list[i]));
        if (id !== undefined && ap.txn[id] === t.id) { future = list[i]; break; }
      }
      if (future !== undefined) {
        report('internal', `T${t.invoke.index} read key ${show(m[1])} = ${show(list)}, which holds ${show(future)}, an append T${t.invoke.index} makes only later`, [t]);
        continue;
      }
      const lastId = extLen === 0 ? -1 : (ks.byValue.get(norm(list[extLen - 1])) ?? -2);
      ks.ext.push(t.id, extLen, lastId);
      // G1b: the read ends in a non-final append of another transaction to this key.
      if (lastId >= 0 && ap.txn[lastId] !== t.id && ap.j[lastId]! < ap.last[lastId]!) {
        const w = writerOf(lastId);
        const later = ks.appends.filter((a) => ap.txn[a] === w.id && ap.j[a]! > ap.j[lastId]!).map((a) => show(ap.value[a]));
        report('G1b', `T${t.invoke.index} read key ${show(m[1])} = ${show(list.slice(0, extLen))}, ending in ${show(ap.value[lastId])}, an intermediate append of T${w.invoke.index}, which appended ${later.join(' and ')} to the key after it (intermediate read)`, [t, w]);
      }
    }
  }

  // --- the graph --------------------------------------------------------------------------------
  const gb = new GraphBuilder(txns.length);
  const live = (txn: number): boolean => committed[txn] === 1;
  for (const ks of keys) {
    // wr edges need only the writer of what was read.
    for (let e = 0; e < ks.ext.length; e += 3) {
      const r = ks.ext[e]!;
      const lastId = ks.ext[e + 2]!;
      if (lastId >= 0 && live(ap.txn[lastId]!)) gb.add(ap.txn[lastId]!, r, WR, lastId);
    }
    if (!ks.compatible) continue;
    const ids = ks.orderIds;
    let lastWriter = -1;
    let lastId = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < 0) { lastWriter = -1; continue; }
      const w = ap.txn[id]!;
      if (!live(w)) { lastWriter = -1; continue; }
      if (lastWriter >= 0 && i > 0 && ids[i - 1] === lastId) gb.add(lastWriter, w, WW, lastId, id);
      lastWriter = w;
      lastId = id;
    }
    const tailOk = ids.length > 0 && ids[ids.length - 1]! >= 0 && live(ap.txn[ids[ids.length - 1]!]!);
    const unobserved = ks.appends.filter((id) => ap.pos[id] === -1 && live(ap.txn[id]!));
    if (tailOk) for (const u of unobserved) gb.add(ap.txn[ids[ids.length - 1]!]!, ap.txn[u]!, WW, ids[ids.length - 1]!, u);
    let tailEdges = 0;
    for (let e = 0; e < ks.ext.length; e += 3) {
      const r = ks.ext[e]!;
      const len = ks.ext[e + 1]!;
      const readLast = ks.ext[e + 2]!;
      if (readLast === -2) continue;
      if (len < ids.length) {
        const next = ids[len]!;
        // (a read ending inside another transaction's appends is G1b already; its rw edge back to that writer would restate it as a cycle)
        const g1b = readLast >= 0 && next >= 0 && ap.txn[readLast] === ap.txn[next];
        if (next >= 0 && !g1b && live(ap.txn[next]!)) gb.add(r, ap.txn[next]!, RW, readLast, next);
      } else {
        for (const u of unobserved) {
          if (tailEdges++ >= MAX_TAIL_EDGES_PER_KEY) break;
          gb.add(r, ap.txn[u]!, RW, readLast, u);
        }
      }
    }
    if (tailEdges > MAX_TAIL_EDGES_PER_KEY) notes.push(`key ${show(ks.key)}: more than ${MAX_TAIL_EDGES_PER_KEY} read → never-read-append pairs; only the first were used`);
  }
  // Realtime (through barriers) and process order, in history order.
  const txnAtInvoke = new Int32Array(history.length).fill(-1);
  const txnAtOk = new Int32Array(history.length).fill(-1);
  for (const t of txns) {
    txnAtInvoke[t.invokeAt] = t.id;
    if (t.completion?.type === 'ok') txnAtOk[t.completeAt] = t.id;
  }
  let pending: number[] = [];
  let barrier = -1;
  const lastOfProcess = new Map<Op['process'], number>();
  for (let i = 0; i < history.length; i++) {
    const inv = txnAtInvoke[i]!;
    if (inv >= 0) {
      const t = txns[inv]!;
      if (!live(t.id)) continue;
      if (pending.length > 0) {
        const b = gb.addNode();
        for (const p of pending) gb.add(p, b, RT);
        if (barrier >= 0) gb.add(barrier, b, RT);
        barrier = b;
        pending = [];
      }
      if (barrier >= 0) gb.add(barrier, t.id, RT);
      const prev = lastOfProcess.get(t.invoke.process);
      if (prev !== undefined) gb.add(prev, t.id, PROC);
      continue;
    }
    const done = txnAtOk[i]!;
    if (done >= 0) {
      pending.push(done);
      lastOfProcess.set(txns[done]!.invoke.process, done);
    }
  }
  const g = gb.freeze();

  // --- cycles ---------------------------------------------------------------------------------------
  // Searched in levels — the base edges (ww wr rw), then + process, then + realtime — each with
  // its own components, so a plain G-single is named as such even when real-time edges also tie
  // its transactions into a much larger component.
  const mask = edgeMaskOf(model);
  const decidesByScc = everyCycleForbidden(model);
  const bfs = new Bfs(g);
  const cycleExamples = new Map<CycleKind, { len: number; edges: number[] }[]>();
  let outOfTime = false;
  let unresolved = 0;
  let fullComponents = 0;
  const onCycle = new Uint8Array(g.n);
  const countedCycles = new Set<string>();

  const classify = (edges: number[]): CycleKind => {
    let rw = 0;
    let wr = 0;
    let rt = false;
    let proc = false;
    for (const e of edges) {
      const k = g.kind[e]!;
      if (k === RW) rw++;
      else if (k === WR) wr++;
      else if (k === RT) rt = true;
      else if (k === PROC) proc = true;
    }
    const base: CycleBase = rw >= 2 ? 'G2-item' : rw === 1 ? 'G-single' : wr > 0 ? 'G1c' : 'G0';
    return `${base}${rt ? '-realtime' : proc ? '-process' : ''}` as CycleKind;
  };
  type Spec = { path: number; req: number };
  const levels: { mask: number; specs: Spec[] }[] = [
    { mask: mask & (WW | WR | RW), specs: [{ path: WW, req: WW }, { path: WW | WR, req: WR }, { path: WW | WR, req: RW }, { path: WW | WR | RW, req: RW }] },
  ];
  for (const x of [PROC, RT]) {
    if (!(mask & x)) continue;
    const extra = x === RT ? RT | PROC : PROC;
    levels.push({ mask: mask & (WW | WR | RW | extra), specs: [{ path: WW | extra, req: x }, { path: WW | WR | extra, req: x }, { path: WW | WR | extra, req: RW }, { path: WW | WR | RW | extra, req: x }] });
  }
  // For snapshot isolation the verdict hangs on G-single (any-length search), so those searches
  // are exhaustive — until the verdict is settled by some forbidden anomaly. They run over the
  // rw-free subgraph, acyclic unless a forbidden G0/G1c exists, so topological ranks prune them.
  let settled = Object.keys(counts).some((k) => forbidden.has(k as AnomalyKind));
  const exhaustive = (s: Spec): boolean => !decidesByScc && !settled && (s.path & RW) === 0;
  const ranks = new Map<number, Int32Array | null>();
  const rankFor = (pathMask: number): Int32Array | undefined => {
    if (!ranks.has(pathMask)) ranks.set(pathMask, topoRanks(g, pathMask));
    return ranks.get(pathMask) ?? undefined;
  };
  const keep = (cycle: number[], found: Set<CycleKind>): CycleKind => {
    const kind = classify(cycle);
    found.add(kind);
    for (const e of cycle) onCycle[g.source[e]!] = 1;
    // the same cycle may turn up again at a later level: count distinct cycles
    const sig = `${kind}:${cycle.map((e) => g.source[e]!).sort((x, y) => x - y).join(',')}`;
    if (countedCycles.has(sig)) return kind;
    countedCycles.add(sig);
    counts[kind] = (counts[kind] ?? 0) + 1;
    let list = cycleExamples.get(kind);
    if (!list) cycleExamples.set(kind, (list = []));
    list.push({ len: cycle.length, edges: cycle });
    if (list.length > 4 * maxExamples) {
      list.sort((p, q) => p.len - q.len);
      list.length = maxExamples;
    }
    return kind;
  };

  levels.forEach((level, li) => {
    const final = li === levels.length - 1;
    const { comp, nontrivial } = tarjan(g, level.mask);
    if (final) fullComponents = nontrivial.length;
    const usable = level.specs.filter((s) => ((s.path | s.req) & ~level.mask) === 0);
    for (const members of nontrivial) {
      if (options.signal?.aborted) outOfTime = true;
      if (outOfTime) { if (final) unresolved++; continue; }
      const cid = comp[members[0]!]!;
      const found = new Set<CycleKind>();
      const tryEdges = (s: Spec, limit: number): void => {
        const full = limit === Infinity;
        let tries = 0;
        for (const v of members) {
          for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
            if (g.kind[e] !== s.req || comp[g.target[e]!] !== cid) continue;
            if (tries++ >= limit) return;
            if ((tries & 63) === 0 && (performance.now() > deadline || options.signal?.aborted)) { outOfTime = true; return; }
            const path = bfs.path(g.target[e]!, v, s.path, comp, cid, full ? rankFor(s.path) : undefined);
            if (!path) continue;
            const kind = keep([e, ...path], found);
            if (forbidden.has(kind)) settled = true;
            if (!full) return; // one example per spec and component is enough
            if (forbidden.has(kind)) return; // the verdict is settled
          }
        }
      };
      for (const s of usable) {
        tryEdges(s, exhaustive(s) ? Infinity : EXPLAIN_TRIES);
        if (outOfTime) break;
      }
      if (final && decidesByScc && !outOfTime && found.size === 0 && !members.some((v) => onCycle[v])) {
        // Any edge inside the component lies on a cycle over the full mask.
        outer: for (const v of members) {
          for (let e = g.start[v]!; e < g.start[v + 1]!; e++) {
            if (!(g.kind[e]! & level.mask) || comp[g.target[e]!] !== cid) continue;
            const path = bfs.path(g.target[e]!, v, level.mask, comp, cid);
            if (path) {
              keep([e, ...path], found);
              break outer;
            }
          }
        }
      }
      if (outOfTime && final) unresolved++;
    }
  });
  if (outOfTime) {
    const msg = `${options.signal?.aborted ? 'stopped' : 'time budget hit'} while searching cycles (${unresolved} of ${fullComponents} strongly connected components not fully searched)`;
    if (decidesByScc && fullComponents > 0) notes.push(msg);
    else unknownReasons.push(msg);
  }

  // --- cycle explanations -------------------------------------------------------------------------
  const name = (v: number): string => `T${txns[v]!.invoke.index}`;
  const explainEdge = (e: number, from: number, to: number, kind: number): string => {
    const a = g.a[e]!;
    const b = g.b[e]!;
    const F = name(from);
    const T = name(to);
    if (kind === WW) {
      if (ap.pos[b] === -1) return `${F} < ${T} because ${T}'s append of ${show(ap.value[b])} to key ${show(keys[ap.key[b]!]!.key)} was never read, so it follows ${F}'s append of ${show(ap.value[a])}, the last one read`;
      return `${F} < ${T} because ${T} appended ${show(ap.value[b])} to key ${show(keys[ap.key[b]!]!.key)} right after ${F}'s append of ${show(ap.value[a])}`;
    }
    if (kind === WR) return `${F} < ${T} because ${T} read ${F}'s append of ${show(ap.value[a])} to key ${show(keys[ap.key[a]!]!.key)}`;
    if (kind === RW) {
      const key = show(keys[ap.key[b]!]!.key);
      const what = a < 0 ? `key ${key} empty` : `key ${key} up to ${show(ap.value[a])}`;
      if (ap.pos[b] === -1) return `${F} < ${T} because ${F} read ${what}, and ${T}'s append of ${show(ap.value[b])}, never read, comes after every version read`;
      return `${F} < ${T} because ${F} read ${what}, and ${T} appended ${show(ap.value[b])} next`;
    }
    if (kind === PROC) return `${F} < ${T} because process ${show(txns[from]!.invoke.process)} ran ${F} and then ${T}`;
    return `${F} < ${T} because ${F} completed (op ${txns[from]!.completion?.index}) before ${T} was invoked (op ${txns[to]!.invoke.index})`;
  };
  const isTxn = (v: number): boolean => v < txns.length;
  for (const [kind, list] of cycleExamples) {
    list.sort((p, q) => p.len - q.len);
    const seen = new Set<string>();
    for (const { edges } of list) {
      // Start the cycle at a transaction, then fold realtime barrier hops into one edge.
      const startAt = edges.findIndex((e) => isTxn(g.source[e]!));
      const rot = [...edges.slice(startAt), ...edges.slice(0, startAt)];
      const out: AnomalyEdge[] = [];
      const nodes: Txn[] = [];
      for (let i = 0; i < rot.length; ) {
        const e = rot[i]!;
        const from = g.source[e]!;
        let to = g.target[e]!;
        let kindBits = g.kind[e]!;
        let last = e;
        while (!isTxn(to)) {
          i++;
          last = rot[i]!;
          to = g.target[last]!;
          kindBits = RT;
        }
        i++;
        nodes.push(txns[from]!);
        out.push({ from: name(from), to: name(to), kind: KIND_NAMES[kindBits]!, text: explainEdge(e === last ? e : last, from, to, kindBits) });
      }
      const sig = nodes.map((t) => t.id).sort((x, y) => x - y).join(',');
      if (seen.has(sig)) continue;
      seen.add(sig);
      const refs = nodes.map(ref);
      const text = `${kind}: a cycle of ${out.length} transactions (${refs.map((r) => r.name).join(' → ')} → ${refs[0]!.name}): ${out.map((x) => x.text).join('; ')}; so no order of the transactions satisfies all of them.`;
      let ex = examples.get(kind);
      if (!ex) examples.set(kind, (ex = []));
      if (ex.length < maxExamples) ex.push({ kind, forbidden: forbidden.has(kind), text, txns: refs, graph: { nodes: refs, edges: out } });
    }
  }

  // --- verdict ------------------------------------------------------------------------------------
  const anomalyTypes = (Object.keys(counts) as AnomalyKind[]).sort();
  const bad = anomalyTypes.filter((k) => forbidden.has(k));
  const ok = txns.filter((t) => t.status === 'ok').length;
  if (ok === 0) unknownReasons.push('no committed transaction to check');
  // Under a model where every cycle is forbidden, a non-trivial component is a violation even if
  // the search stopped before classifying its cycle.
  const cycleDecides = decidesByScc && fullComponents > 0;
  if (cycleDecides && bad.length === 0) notes.push('dependency cycles exist but were not classified (the search stopped)');
  const valid: Validity = bad.length > 0 || cycleDecides ? false : unknownReasons.length > 0 ? 'unknown' : true;
  const anomalies = [...examples.values()].flat();
  return {
    valid,
    consistencyModel: model,
    anomalyTypes,
    forbidden: bad,
    counts,
    anomalies,
    unknownReasons,
    notes,
    stats: {
      txns: txns.length,
      ok,
      fail: txns.filter((t) => t.status === 'fail').length,
      info: txns.filter((t) => t.status === 'info').length,
      skipped,
      keys: keys.length,
      nodes: g.n,
      edges: g.m,
      sccs: fullComponents,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
  };
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (norm(a[i]) !== norm(b[i])) return false;
  return true;
}

/** The checker for a workload's `checkers` record. */
export function listAppendChecker(defaults: ListAppendOptions = {}): { check(history: readonly Op[], opts: CheckOptions): Promise<ListAppendResult> } {
  return {
    async check(history, opts) {
      return checkListAppend(history, { ...defaults, ...opts });
    },
  };
}

export type { Graph };
